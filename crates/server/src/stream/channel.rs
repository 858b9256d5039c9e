//! The dashboard stream's channels — `events`, `events:<source_id>`, `deliveries`,
//! `deliveries:<destination_id>`, `issues` — and the set one socket is subscribed to,
//! shared between the socket (which changes it) and the hub (which reads it per event).

use std::collections::HashSet;

/// One channel a dashboard socket can subscribe to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Channel {
    /// Every event of the tenant.
    Events,
    /// The events of one source.
    SourceEvents(String),
    /// Every delivery attempt of the tenant.
    Deliveries,
    /// The delivery attempts to one destination.
    DestinationDeliveries(String),
    /// Issues opened or updated.
    Issues,
}

impl Channel {
    /// The channel named `name`, if there is one (`events:` needs an id after it).
    pub fn parse(name: &str) -> Option<Self> {
        let scoped = |id: &str| (!id.is_empty()).then(|| id.to_owned());
        match name.split_once(':') {
            None => match name {
                "events" => Some(Self::Events),
                "deliveries" => Some(Self::Deliveries),
                "issues" => Some(Self::Issues),
                _ => None,
            },
            Some(("events", id)) => scoped(id).map(Self::SourceEvents),
            Some(("deliveries", id)) => scoped(id).map(Self::DestinationDeliveries),
            Some(_) => None,
        }
    }
}

/// The channels one socket is subscribed to.
#[derive(Debug, Default)]
pub struct Channels {
    events: bool,
    sources: HashSet<String>,
    deliveries: bool,
    destinations: HashSet<String>,
    issues: bool,
}

impl Channels {
    pub fn add(&mut self, channel: Channel) {
        match channel {
            Channel::Events => self.events = true,
            Channel::SourceEvents(id) => {
                self.sources.insert(id);
            }
            Channel::Deliveries => self.deliveries = true,
            Channel::DestinationDeliveries(id) => {
                self.destinations.insert(id);
            }
            Channel::Issues => self.issues = true,
        }
    }

    pub fn remove(&mut self, channel: &Channel) {
        match channel {
            Channel::Events => self.events = false,
            Channel::SourceEvents(id) => {
                self.sources.remove(id);
            }
            Channel::Deliveries => self.deliveries = false,
            Channel::DestinationDeliveries(id) => {
                self.destinations.remove(id);
            }
            Channel::Issues => self.issues = false,
        }
    }

    /// Subscribed to every event of the tenant.
    pub fn all_events(&self) -> bool {
        self.events
    }

    /// Subscribed to the events of `source`.
    pub fn source_events(&self, source: &str) -> bool {
        self.sources.contains(source)
    }

    /// Subscribed to every delivery attempt of the tenant.
    pub fn all_deliveries(&self) -> bool {
        self.deliveries
    }

    /// Subscribed to the delivery attempts to `destination`.
    pub fn destination_deliveries(&self, destination: &str) -> bool {
        self.destinations.contains(destination)
    }

    /// Subscribed to issues.
    pub fn issues(&self) -> bool {
        self.issues
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_channel_forms_parse_and_nothing_else_does() {
        assert_eq!(Channel::parse("events"), Some(Channel::Events));
        assert_eq!(
            Channel::parse("events:src_1"),
            Some(Channel::SourceEvents("src_1".into()))
        );
        assert_eq!(Channel::parse("deliveries"), Some(Channel::Deliveries));
        assert_eq!(
            Channel::parse("deliveries:dst_1"),
            Some(Channel::DestinationDeliveries("dst_1".into()))
        );
        assert_eq!(Channel::parse("issues"), Some(Channel::Issues));
        for unknown in [
            "", "event", "events:", "issues:x", "test", "Events", "x:events",
        ] {
            assert_eq!(Channel::parse(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn a_source_channel_is_added_and_removed_on_its_own() {
        let mut channels = Channels::default();
        channels.add(Channel::SourceEvents("src_1".into()));
        assert!(channels.source_events("src_1"));
        assert!(!channels.source_events("src_2"));
        assert!(!channels.all_events());
        channels.add(Channel::Events);
        channels.remove(&Channel::SourceEvents("src_1".into()));
        assert!(!channels.source_events("src_1"));
        assert!(channels.all_events());
    }
}
