//! What the configuration allows: images whose user it knows and capabilities a service may add.
//! The model carries them so rules read one value; a run without a config leaves them empty.

/// The configuration's allowances.
#[derive(Debug, Clone, Default)]
pub struct Allowances {
    /// Images and the user they run as, checked before the embedded table of known images.
    pub images: Vec<ConfiguredImage>,
    /// Capabilities that `dangerous-capability` does not report.
    pub capabilities: Vec<AllowedCapability>,
}

/// An image pattern and its user: `registry.example/base/*` runs as `10001`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredImage {
    /// `[registry/]repository[:tag]`, where `*` matches any run of characters; no tag means any.
    pub pattern: String,
    pub user: String,
}

/// A capability a service may add: `NET_ADMIN` for the service `vpn`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedCapability {
    /// The service name; `None` allows the capability for every service.
    pub service: Option<String>,
    /// Any spelling the engine accepts: `NET_ADMIN`, `cap_net_admin`.
    pub capability: String,
}

impl Allowances {
    /// Whether the configuration allows `service` to add `capability` (already normalised).
    pub fn allows_capability(&self, service: &str, capability: &str) -> bool {
        self.capabilities.iter().any(|allowed| {
            let for_service = allowed
                .service
                .as_deref()
                .is_none_or(|name| name == service);
            for_service && crate::model::normalise_capability(&allowed.capability) == capability
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_allowed_for_one_service_or_all() {
        let allowances = Allowances {
            images: Vec::new(),
            capabilities: vec![
                AllowedCapability {
                    service: Some("vpn".to_owned()),
                    capability: "cap_net_admin".to_owned(),
                },
                AllowedCapability {
                    service: None,
                    capability: "NET_RAW".to_owned(),
                },
            ],
        };

        assert!(allowances.allows_capability("vpn", "NET_ADMIN"));
        assert!(!allowances.allows_capability("web", "NET_ADMIN"));
        assert!(allowances.allows_capability("web", "NET_RAW"));
        assert!(!Allowances::default().allows_capability("vpn", "NET_ADMIN"));
    }
}
