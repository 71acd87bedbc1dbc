//! Reading a card number and CVC from a file, the environment or standard input, never
//! from the command line, where they would show in the process list.

use std::io::{BufRead, IsTerminal, Read};
use std::path::Path;

use odeme::{Card, Cvc, Expiry};
use zeroize::Zeroizing;

use crate::args_payment::{CardSourceArgs, CvcSourceArgs};
use crate::config::Environment;
use crate::exit::{CliError, CliResult};

/// The environment variable a card number may come from.
pub const CARD_NUMBER_ENV: &str = "ODEME_CARD_NUMBER";
/// The environment variable a CVC may come from.
pub const CARD_CVC_ENV: &str = "ODEME_CARD_CVC";

/// Lines of standard input, read only when needed, with a prompt when it is a terminal.
pub struct LineSource {
    reader: Box<dyn BufRead>,
    interactive: bool,
}

impl LineSource {
    /// The process's standard input.
    pub fn stdin() -> Self {
        let stdin = std::io::stdin();
        let interactive = stdin.is_terminal();
        Self {
            reader: Box::new(stdin.lock()),
            interactive,
        }
    }

    /// Lines from any reader, without prompts.
    #[cfg(test)]
    pub fn from_reader(reader: impl BufRead + 'static) -> Self {
        Self {
            reader: Box::new(reader),
            interactive: false,
        }
    }

    /// Everything left on standard input (a raw notification).
    pub fn read_all(&mut self) -> CliResult<Vec<u8>> {
        if self.interactive {
            eprintln!("Paste the notification, then press Ctrl-D:");
        }
        let mut raw = Vec::new();
        self.reader
            .read_to_end(&mut raw)
            .map_err(|e| CliError::Local(format!("cannot read standard input: {e}")))?;
        Ok(raw)
    }

    /// The next non-empty line, trimmed; `what` names it in the prompt and the error.
    fn next(&mut self, what: &str) -> CliResult<Zeroizing<String>> {
        if self.interactive {
            // Typed at a terminal: read without echo, so the card never shows on screen.
            let typed = Zeroizing::new(rpassword::prompt_password(format!("{what}: ")).map_err(
                |e| CliError::Local(format!("cannot read the {what} from the terminal: {e}")),
            )?);
            let trimmed = typed.trim();
            if trimmed.is_empty() {
                return Err(CliError::input(format!("no {what} given")));
            }
            return Ok(Zeroizing::new(trimmed.to_owned()));
        }
        loop {
            let mut line = Zeroizing::new(String::new());
            let read = self.reader.read_line(&mut line).map_err(|e| {
                CliError::Local(format!("cannot read the {what} from standard input: {e}"))
            })?;
            if read == 0 {
                return Err(CliError::input(format!(
                    "no {what} given: pass it on standard input, in {} or with --card-file",
                    if what == "CVC" {
                        CARD_CVC_ENV
                    } else {
                        CARD_NUMBER_ENV
                    }
                )));
            }
            let trimmed = line.trim();
            if !trimmed.is_empty() {
                return Ok(Zeroizing::new(trimmed.to_owned()));
            }
        }
    }
}

/// Reads the card: number and CVC from the file, else the environment, else standard
/// input; expiry and holder from the flags.
pub fn read_card(
    args: &CardSourceArgs,
    env: &dyn Environment,
    input: &mut LineSource,
) -> CliResult<Card> {
    refuse_on_command_line(args.card_number.is_some(), args.cvc.is_some())?;
    let expiry = Expiry::parse(&args.expiry)?;
    let (number, cvc) = match &args.card_file {
        Some(path) => {
            let lines = read_lines(path)?;
            let number = lines.first().cloned().ok_or_else(|| {
                CliError::input(format!(
                    "the card file {} is empty; its first line is the card number",
                    path.display()
                ))
            })?;
            let cvc = match lines.get(1) {
                Some(cvc) => cvc.clone(),
                None => from_env_or_input(env, CARD_CVC_ENV, "CVC", input)?,
            };
            (number, cvc)
        }
        None => {
            let number = from_env_or_input(env, CARD_NUMBER_ENV, "card number", input)?;
            let cvc = from_env_or_input(env, CARD_CVC_ENV, "CVC", input)?;
            (number, cvc)
        }
    };
    Ok(Card::new(&number, expiry, &cvc, &args.holder)?)
}

/// Reads the CVC for a stored-card charge, when it is asked for.
pub fn read_cvc(
    args: &CvcSourceArgs,
    env: &dyn Environment,
    input: &mut LineSource,
) -> CliResult<Option<Cvc>> {
    refuse_on_command_line(false, args.cvc.is_some())?;
    let text = match &args.cvc_file {
        Some(path) => read_lines(path)?.into_iter().next().ok_or_else(|| {
            CliError::input(format!(
                "the CVC file {} is empty; its first line is the CVC",
                path.display()
            ))
        })?,
        None if args.with_cvc => from_env_or_input(env, CARD_CVC_ENV, "CVC", input)?,
        None => return Ok(None),
    };
    Ok(Some(Cvc::parse(&text)?))
}

fn refuse_on_command_line(number: bool, cvc: bool) -> CliResult<()> {
    let what = match (number, cvc) {
        (true, _) => "a card number",
        (false, true) => "a CVC",
        (false, false) => return Ok(()),
    };
    Err(CliError::input(format!(
        "{what} is never taken from the command line (it would show in the process list): use --card-file, {CARD_NUMBER_ENV} / {CARD_CVC_ENV} or standard input"
    )))
}

fn from_env_or_input(
    env: &dyn Environment,
    variable: &str,
    what: &str,
    input: &mut LineSource,
) -> CliResult<Zeroizing<String>> {
    match env.var(variable) {
        Some(value) => Ok(Zeroizing::new(value.trim().to_owned())),
        None => input.next(what),
    }
}

fn read_lines(path: &Path) -> CliResult<Vec<Zeroizing<String>>> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        CliError::input(format!("cannot read the card file {}: {e}", path.display()))
    })?);
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Zeroizing::new(l.to_owned()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::io::Cursor;

    struct FakeEnv(HashMap<&'static str, &'static str>);

    impl Environment for FakeEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|v| (*v).to_owned())
        }
    }

    fn source(file: Option<&Path>) -> CardSourceArgs {
        CardSourceArgs {
            card_file: file.map(Path::to_path_buf),
            expiry: "12/99".into(),
            holder: "Jane Doe".into(),
            card_number: None,
            cvc: None,
        }
    }

    #[test]
    fn stdin_gives_number_then_cvc() {
        let mut input = LineSource::from_reader(Cursor::new("\n4355 0843 5508 4358\n000\n"));
        let card = read_card(&source(None), &FakeEnv(HashMap::new()), &mut input).unwrap();
        assert_eq!(card.number().expose(), "4355084355084358");
        assert_eq!(card.cvc().expose(), "000");
    }

    #[test]
    fn env_beats_stdin_and_file_beats_env() {
        let env = FakeEnv(HashMap::from([
            (CARD_NUMBER_ENV, "5406675406675403"),
            (CARD_CVC_ENV, "123"),
        ]));
        let mut input = LineSource::from_reader(Cursor::new("4355084355084358\n000\n"));
        let card = read_card(&source(None), &env, &mut input).unwrap();
        assert_eq!(card.number().last4(), "5403");
        assert_eq!(card.cvc().expose(), "123");

        let path = std::env::temp_dir().join(format!("odeme-cli-card-{}", std::process::id()));
        std::fs::write(&path, "9792030394440796\n").unwrap();
        let card = read_card(&source(Some(&path)), &env, &mut input).unwrap();
        assert_eq!(card.number().last4(), "0796");
        assert_eq!(
            card.cvc().expose(),
            "123",
            "CVC falls back to the environment"
        );
        std::fs::remove_file(&path).ok();
    }

    #[test]
    fn missing_and_invalid_input_name_the_cause() {
        let mut empty = LineSource::from_reader(Cursor::new(""));
        let err = read_card(&source(None), &FakeEnv(HashMap::new()), &mut empty).unwrap_err();
        assert!(err.to_string().contains("no card number"), "{err}");
        let mut bad = LineSource::from_reader(Cursor::new("4355084355084357\n000\n"));
        let err = read_card(&source(None), &FakeEnv(HashMap::new()), &mut bad).unwrap_err();
        assert!(err.to_string().contains("card.number"), "{err}");
        assert!(!err.to_string().contains("4355084355084357"), "{err}");
    }

    #[test]
    fn command_line_card_data_is_refused_without_echo() {
        let mut args = source(None);
        args.card_number = Some("4355084355084358".into());
        let mut input = LineSource::from_reader(Cursor::new(""));
        let err = read_card(&args, &FakeEnv(HashMap::new()), &mut input).unwrap_err();
        assert!(
            err.to_string()
                .contains("never taken from the command line"),
            "{err}"
        );
        assert!(!err.to_string().contains("4355084355084358"));
    }

    #[test]
    fn cvc_only_when_asked() {
        let env = FakeEnv(HashMap::from([(CARD_CVC_ENV, "321")]));
        let mut input = LineSource::from_reader(Cursor::new(""));
        let off = CvcSourceArgs {
            with_cvc: false,
            cvc_file: None,
            cvc: None,
        };
        assert!(read_cvc(&off, &env, &mut input).unwrap().is_none());
        let on = CvcSourceArgs {
            with_cvc: true,
            cvc_file: None,
            cvc: None,
        };
        assert_eq!(
            read_cvc(&on, &env, &mut input).unwrap().unwrap().expose(),
            "321"
        );
    }
}
