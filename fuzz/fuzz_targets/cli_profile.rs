//! The CLI's TOML profile (`cli/src/profile.rs`, compiled here as it is: the CLI is a
//! binary without a library to link against): never a panic, and a refused profile's
//! error never quotes the secret it holds, wherever the fuzzed text puts it.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The two names `profile.rs` takes from the CLI's `exit` module.
mod exit {
    /// A CLI error, as far as the profile needs one.
    #[derive(Debug)]
    pub struct CliError(#[allow(dead_code)] pub String);

    impl CliError {
        pub fn input(message: impl Into<String>) -> Self {
            CliError(message.into())
        }
    }

    pub type CliResult<T> = Result<T, CliError>;
}

#[allow(dead_code)]
#[path = "../../cli/src/profile.rs"]
mod profile;

const SECRET: &str = "Zq8sEcReTvAlUe41";

/// Whether `text` holds any six consecutive characters of [`SECRET`].
fn mentions_secret(text: &str) -> bool {
    SECRET
        .as_bytes()
        .windows(6)
        .any(|w| text.as_bytes().windows(6).any(|t| t == w))
}

fuzz_target!(|input: (u8, String, String)| {
    let (mode, before, after) = input;
    let _ = profile::Profile::parse(&before);
    let key = [
        "merchant_key",
        "merchant_salt",
        "secret_key",
        "api_key",
        "webhook_key",
    ][usize::from(mode) % 5];
    let table = ["paytr", "craftgate", "paytrek"][usize::from(mode / 5) % 3];
    // The property is about the value written under the key: text of the fuzzer's own that
    // spells part of the secret (as a table or key name, which errors do quote) is skipped.
    if mentions_secret(&before) || mentions_secret(&after) {
        return;
    }
    let text = format!("{before}\n[{table}]\n{key} = \"{SECRET}\"\n{after}");
    if let Err(message) = profile::Profile::parse(&text) {
        assert!(
            !message.contains(SECRET),
            "the error quotes the secret: {message}"
        );
        assert!(
            !mentions_secret(&message),
            "the error quotes part of the secret: {message}"
        );
    }
});
