//! The hash Craftgate puts on the 3-D Secure browser callback:
//! `hex(SHA-256(callbackKey###status###completeStatus###paymentId###conversationData###conversationId###callbackStatus))`,
//! a plain digest with the merchant's 3-D callback key prefixed, not an HMAC.

use sha2::{Digest, Sha256};

use crate::util::constant_time_eq;

/// The seven callback fields in hash order; a missing one is the empty string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackFields {
    /// `status`: `SUCCESS` or `FAILURE`.
    pub status: String,
    /// `completeStatus`: `WAITING` while the merchant still has to call `3ds-complete`.
    pub complete_status: String,
    /// `paymentId`.
    pub payment_id: String,
    /// `conversationData`: opaque data of the 3-D session.
    pub conversation_data: String,
    /// `conversationId` from the 3ds-init request.
    pub conversation_id: String,
    /// `callbackStatus`: `ALREADY_RETURNED` when the page was completed before.
    pub callback_status: String,
}

/// The lowercase hex hash of the callback fields under `callback_key`.
pub fn callback_hash(callback_key: &str, fields: &CallbackFields) -> String {
    let joined = [
        callback_key,
        &fields.status,
        &fields.complete_status,
        &fields.payment_id,
        &fields.conversation_data,
        &fields.conversation_id,
        &fields.callback_status,
    ]
    .join("###");
    hex::encode(Sha256::digest(joined.as_bytes()))
}

/// Whether `presented` is the callback hash of `fields`, compared in constant time.
pub fn verify_callback_hash(callback_key: &str, fields: &CallbackFields, presented: &str) -> bool {
    constant_time_eq(&callback_hash(callback_key, fields), presented)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(
        status: &str,
        complete: &str,
        id: &str,
        data: &str,
        conv: &str,
        cb: &str,
    ) -> CallbackFields {
        CallbackFields {
            status: status.into(),
            complete_status: complete.into(),
            payment_id: id.into(),
            conversation_data: data.into(),
            conversation_id: conv.into(),
            callback_status: cb.into(),
        }
    }

    #[test]
    fn official_vectors() {
        let key = "merchantThreeDsCallbackKeySndbox";
        let f = fields(
            "SUCCESS",
            "WAITING",
            "5",
            "conversation-data",
            "conversation-id",
            "",
        );
        assert_eq!(
            callback_hash(key, &f),
            "1d3fa1e51fe7c350185c5a7f8c3ff513a991367b08c16a56f4ab9abeb738a1e1"
        );
        let f2 = fields("SUCCESS", "WAITING", "5", "", "conversation-id", "");
        assert_eq!(
            callback_hash(key, &f2),
            "a097f0231031a88f2d687b510afca2505ccd2977d6421be4c3784666703f6f25"
        );
        let node_key = "6UkASNuafM2TdannfMacixxjMaN5ycTJ";
        let conv = "d1811bb0-25a2-40c7-ba71-c8b605259611";
        let f3 = fields("SUCCESS", "WAITING", "415449", "", conv, "");
        assert_eq!(
            callback_hash(node_key, &f3),
            "768d4e056a9720e7355294b359fe597929dbb363315b543325f1c52612d55edc"
        );
        let f4 = fields("FAILURE", "", "417145", "", conv, "ALREADY_RETURNED");
        assert_eq!(
            callback_hash(node_key, &f4),
            "8f97746284f91a4295f99ae1e50dd70ccd3c932fd58437855e91a3a2fe86b293"
        );
        assert!(verify_callback_hash(
            node_key,
            &f4,
            "8f97746284f91a4295f99ae1e50dd70ccd3c932fd58437855e91a3a2fe86b293"
        ));
    }

    #[test]
    fn altered_inputs_are_rejected() {
        let key = "merchantThreeDsCallbackKeySndbox";
        let f = fields(
            "SUCCESS",
            "WAITING",
            "5",
            "conversation-data",
            "conversation-id",
            "",
        );
        let good = "1d3fa1e51fe7c350185c5a7f8c3ff513a991367b08c16a56f4ab9abeb738a1e1";
        assert!(verify_callback_hash(key, &f, good));
        assert!(!verify_callback_hash(
            key,
            &f,
            "39427942bcaasjaduqabzhdancaASasdhbcxjancakjscace82"
        ));
        assert!(!verify_callback_hash("other-key", &f, good));
        let mut g = f.clone();
        g.payment_id = "6".into();
        assert!(!verify_callback_hash(key, &g, good));
        let mut g = f;
        g.status = "FAILURE".into();
        assert!(!verify_callback_hash(key, &g, good));
    }
}
