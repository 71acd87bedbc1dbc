//! `--item` and `--metadata` values: small `key=value` lists.

use std::collections::BTreeMap;

use odeme::{Currency, LineItem, Money};

use crate::exit::{CliError, CliResult};

/// Parses `name=Book,price=50.00[,qty=2][,id=SKU1][,sub-merchant=ID,payout=45.00]`; the
/// error names the item by its position (`--item #2`).
pub fn parse_item(index: usize, spec: &str, currency: Currency) -> CliResult<LineItem> {
    let label = format!("--item #{}", index + 1);
    let mut fields: BTreeMap<&str, &str> = BTreeMap::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| CliError::input(format!("{label}: `{part}` is not KEY=VALUE")))?;
        let key = key.trim();
        if !matches!(
            key,
            "name" | "price" | "qty" | "id" | "sub-merchant" | "payout"
        ) {
            return Err(CliError::input(format!(
                "{label}: unknown key `{key}` (use name, price, qty, id, sub-merchant, payout)"
            )));
        }
        if fields.insert(key, value.trim()).is_some() {
            return Err(CliError::input(format!("{label}: `{key}` is given twice")));
        }
    }
    let name = fields
        .get("name")
        .ok_or_else(|| CliError::input(format!("{label}: `name` is missing")))?;
    let price = fields
        .get("price")
        .ok_or_else(|| CliError::input(format!("{label}: `price` is missing")))?;
    let price = money(&label, "price", price, currency)?;
    let quantity = match fields.get("qty") {
        Some(q) => q.parse::<u32>().map_err(|_| {
            CliError::input(format!("{label}: `qty` must be a whole number, not `{q}`"))
        })?,
        None => 1,
    };
    let mut item = LineItem::new(name, price, quantity);
    if let Some(id) = fields.get("id") {
        item = item.with_external_id(id);
    }
    match (fields.get("sub-merchant"), fields.get("payout")) {
        (Some(sub), Some(payout)) => {
            item = item.with_split(sub, money(&label, "payout", payout, currency)?)
        }
        (None, None) => {}
        _ => {
            return Err(CliError::input(format!(
                "{label}: `sub-merchant` and `payout` go together"
            )))
        }
    }
    Ok(item)
}

fn money(label: &str, key: &str, text: &str, currency: Currency) -> CliResult<Money> {
    Money::parse(key, text, currency).map_err(|e| match e {
        odeme::Error::InvalidRequest { reason, .. } => {
            CliError::input(format!("{label}: `{key}` {reason}"))
        }
        other => CliError::Odeme(other),
    })
}

/// Parses `KEY=VALUE` metadata entries.
pub fn parse_metadata(entries: &[String]) -> CliResult<BTreeMap<String, String>> {
    entries
        .iter()
        .map(|entry| {
            entry
                .split_once('=')
                .filter(|(k, _)| !k.trim().is_empty())
                .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                .ok_or_else(|| CliError::input(format!("--metadata `{entry}` is not KEY=VALUE")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_item_with_split() {
        let item = parse_item(
            0,
            "name=Book, price=50,qty=2,id=SKU1,sub-merchant=77,payout=45.5",
            Currency::TRY,
        )
        .unwrap();
        assert_eq!(item.name, "Book");
        assert_eq!(item.unit_price.to_decimal_string(), "50.00");
        assert_eq!(item.quantity, 2);
        assert_eq!(item.external_id.as_deref(), Some("SKU1"));
        let split = item.split.unwrap();
        assert_eq!(split.sub_merchant_id, "77");
        assert_eq!(split.payout.to_decimal_string(), "45.50");
    }

    #[test]
    fn errors_name_the_item_and_key() {
        let cases = [
            ("price=1", "--item #3: `name` is missing"),
            ("name=A", "--item #3: `price` is missing"),
            ("name=A,price=1.234", "--item #3: `price` has more decimals"),
            (
                "name=A,price=1,qty=two",
                "--item #3: `qty` must be a whole number",
            ),
            ("name=A,price=1,colour=red", "unknown key `colour`"),
            (
                "name=A,price=1,payout=1",
                "`sub-merchant` and `payout` go together",
            ),
            ("name=A,price", "`price` is not KEY=VALUE"),
            ("name=A,name=B,price=1", "`name` is given twice"),
        ];
        for (spec, expected) in cases {
            let err = parse_item(2, spec, Currency::TRY).unwrap_err().to_string();
            assert!(err.contains(expected), "{spec}: {err}");
        }
    }

    #[test]
    fn metadata() {
        let m = parse_metadata(&["a=1".into(), "b=x=y".into()]).unwrap();
        assert_eq!(m.get("b").map(String::as_str), Some("x=y"));
        assert!(parse_metadata(&["=1".into()]).is_err());
        assert!(parse_metadata(&["novalue".into()]).is_err());
    }
}
