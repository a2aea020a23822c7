//! A slot on a stored message for what the consumer side derives from it
//! once for every consumer (the gateway: the delivered AsyncMessage without
//! its `clientId`), so that a fan-out to N consumers derives it once.

use std::any::Any;
use std::sync::{Arc, OnceLock};

/// Filled at most once, by the first delivery of the message it sits on.
/// Not part of the message: ignored by equality, empty in a clone (a clone
/// may be changed), never stored.
#[derive(Default)]
pub struct DeliveryCache(OnceLock<Arc<dyn Any + Send + Sync>>);

impl DeliveryCache {
    /// The cached `T`, made by `make` if the slot is empty; `None` if the
    /// slot holds another type (a second kind of consumer), in which case
    /// the caller derives its value itself.
    pub fn get_or_init<T: Any + Send + Sync>(&self, make: impl FnOnce() -> T) -> Option<&T> {
        self.0
            .get_or_init(|| Arc::new(make()))
            .as_ref()
            .downcast_ref::<T>()
    }
}

impl Clone for DeliveryCache {
    fn clone(&self) -> Self {
        DeliveryCache::default()
    }
}

impl PartialEq for DeliveryCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for DeliveryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "DeliveryCache(filled)"
        } else {
            "DeliveryCache(empty)"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_once_and_not_cloned() {
        let cache = DeliveryCache::default();
        assert_eq!(cache.get_or_init(|| 1u32), Some(&1));
        assert_eq!(cache.get_or_init(|| 2u32), Some(&1));
        assert_eq!(cache.get_or_init(|| "other type"), None);
        assert_eq!(cache.clone().get_or_init(|| 3u32), Some(&3));
    }
}
