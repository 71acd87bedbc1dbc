//! The people and things around a payment: customer, address, line items and splits.

// Line totals of caller-given prices and quantities must fail as an invalid request, never panic.
#![deny(clippy::arithmetic_side_effects)]

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::money::Money;
use crate::validate;

/// The paying customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// The merchant's own id for the customer, if any.
    pub id: Option<String>,
    /// Given name.
    pub first_name: String,
    /// Family name; may be empty, as for a customer known by one name. Only an adapter
    /// whose provider sends a family name of its own (Paytrek) requires it.
    pub last_name: String,
    /// E-mail address.
    pub email: String,
    /// Phone number.
    pub phone: Option<String>,
    /// The customer's IP address (providers use it for fraud checks).
    pub ip: IpAddr,
}

impl Customer {
    /// A customer with the required fields.
    pub fn new(first_name: &str, last_name: &str, email: &str, ip: IpAddr) -> Self {
        Self {
            id: None,
            first_name: first_name.to_owned(),
            last_name: last_name.to_owned(),
            email: email.to_owned(),
            phone: None,
            ip,
        }
    }

    /// Sets the phone number.
    pub fn with_phone(mut self, phone: &str) -> Self {
        self.phone = Some(phone.to_owned());
        self
    }

    /// The full name, `first last`.
    pub fn full_name(&self) -> String {
        let (first, last) = (self.first_name.trim(), self.last_name.trim());
        // One allocation of the right size: PayTR reads the name twice per charge.
        let mut name =
            String::with_capacity(first.len().saturating_add(last.len()).saturating_add(1));
        self.write_full_name(&mut name);
        name
    }

    /// Appends [`Customer::full_name`] to `text`, for a caller that keeps several texts in
    /// one buffer.
    pub fn write_full_name(&self, text: &mut String) {
        let (first, last) = (self.first_name.trim(), self.last_name.trim());
        text.push_str(first);
        if !first.is_empty() && !last.is_empty() {
            text.push(' ');
        }
        text.push_str(last);
    }

    /// Checks the fields every provider needs. The family name is not among them: PayTR
    /// takes the full name in one field and Craftgate sends none, so a one-word name must
    /// not stop a charge there.
    pub fn validate(&self) -> Result<(), Error> {
        validate::non_empty("customer.first_name", &self.first_name)?;
        validate::email("customer.email", &self.email)?;
        if let Some(phone) = &self.phone {
            validate::phone("customer.phone", phone)?;
        }
        Ok(())
    }
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Street address.
    pub line1: String,
    /// More of the street address.
    pub line2: Option<String>,
    /// City.
    pub city: String,
    /// State, province or district.
    pub state: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Country as an ISO-3166 alpha-2 code (`TR`) or name.
    pub country: String,
}

impl Address {
    /// An address of a street line, a city and a country (an ISO-3166 alpha-2 code such as
    /// `TR`, or a name); the optional parts are added with the `with_` setters.
    ///
    /// ```
    /// use odeme_core::Address;
    ///
    /// let billing = Address::new("Bagdat Caddesi 1", "Istanbul", "TR").with_postal_code("34710");
    /// assert_eq!(billing.single_line(), "Bagdat Caddesi 1, 34710, Istanbul, TR");
    /// ```
    pub fn new(line1: &str, city: &str, country: &str) -> Self {
        Self {
            line1: line1.to_owned(),
            line2: None,
            city: city.to_owned(),
            state: None,
            postal_code: None,
            country: country.to_owned(),
        }
    }

    /// Sets the second street line.
    pub fn with_line2(mut self, line2: &str) -> Self {
        self.line2 = Some(line2.to_owned());
        self
    }

    /// Sets the state, province or district.
    pub fn with_state(mut self, state: &str) -> Self {
        self.state = Some(state.to_owned());
        self
    }

    /// Sets the postal code.
    pub fn with_postal_code(mut self, postal_code: &str) -> Self {
        self.postal_code = Some(postal_code.to_owned());
        self
    }

    /// The address on one line.
    pub fn single_line(&self) -> String {
        let mut line = String::new();
        self.write_single_line(&mut line);
        line
    }

    /// Appends [`Address::single_line`] to `text`, for a caller that keeps several texts in
    /// one buffer.
    pub fn write_single_line(&self, text: &mut String) {
        // Borrowed parts into the buffer, grown once.
        text.reserve(self.single_line_room());
        let start = text.len();
        for part in self.parts().flatten().map(str::trim) {
            if part.is_empty() {
                continue;
            }
            if text.len() > start {
                text.push_str(", ");
            }
            text.push_str(part);
        }
    }

    /// The most bytes [`Address::single_line`] can take, for a caller sizing a buffer.
    pub fn single_line_room(&self) -> usize {
        self.parts()
            .flatten()
            .map(|p| p.len().saturating_add(2))
            .fold(0, usize::saturating_add)
    }

    /// The parts of the line, in order.
    fn parts(&self) -> impl Iterator<Item = Option<&str>> {
        [
            Some(self.line1.as_str()),
            self.line2.as_deref(),
            self.postal_code.as_deref(),
            Some(self.city.as_str()),
            self.state.as_deref(),
            Some(self.country.as_str()),
        ]
        .into_iter()
    }
}

/// Part of a line item's price paid out to a marketplace sub-merchant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubMerchantSplit {
    /// The provider's id of the sub-merchant (Craftgate `subMerchantMemberId`).
    pub sub_merchant_id: String,
    /// The amount paid out to the sub-merchant for this item.
    pub payout: Money,
}

/// One line of the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    /// The merchant's id for the line (used to refund one item directly).
    pub external_id: Option<String>,
    /// What is sold.
    pub name: String,
    /// The price of one unit.
    pub unit_price: Money,
    /// How many units.
    pub quantity: u32,
    /// The sub-merchant this line is paid out to, if any.
    pub split: Option<SubMerchantSplit>,
}

impl LineItem {
    /// A line of `quantity` units of `name` at `unit_price`.
    pub fn new(name: &str, unit_price: Money, quantity: u32) -> Self {
        Self {
            external_id: None,
            name: name.to_owned(),
            unit_price,
            quantity,
            split: None,
        }
    }

    /// Sets the merchant's id for the line.
    pub fn with_external_id(mut self, id: &str) -> Self {
        self.external_id = Some(id.to_owned());
        self
    }

    /// Pays `payout` of this line out to `sub_merchant_id`.
    pub fn with_split(mut self, sub_merchant_id: &str, payout: Money) -> Self {
        self.split = Some(SubMerchantSplit {
            sub_merchant_id: sub_merchant_id.to_owned(),
            payout,
        });
        self
    }

    /// The line's total, unit price times quantity.
    pub fn total(&self) -> Result<Money, Error> {
        let total = self
            .unit_price
            .amount()
            .checked_mul(rust_decimal::Decimal::from(self.quantity))
            .ok_or_else(|| Error::invalid("items", "line total overflows"))?;
        Money::new(total, self.unit_price.currency())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_name_joins_the_trimmed_parts_with_one_space() {
        let ip = IpAddr::from([127, 0, 0, 1]);
        for (first, last, expected) in [
            ("Ayşe", "Yılmaz", "Ayşe Yılmaz"),
            ("  Mary Ann ", " Lee\t", "Mary Ann Lee"),
            (" Jane ", "", "Jane"),
            ("", " Doe", "Doe"),
            (" ", " ", ""),
        ] {
            let customer = Customer::new(first, last, "a@b.co", ip);
            assert_eq!(customer.full_name(), expected, "{first:?} {last:?}");
        }
    }

    #[test]
    fn an_address_on_one_line_leaves_out_blank_parts() {
        let mut full = Address::new(" Bagdat Caddesi 1 ", "Istanbul", "TR")
            .with_line2("D:4")
            .with_postal_code("34710");
        full.state = Some("Kadıköy".into());
        assert_eq!(
            full.single_line(),
            "Bagdat Caddesi 1, D:4, 34710, Istanbul, Kadıköy, TR"
        );
        let mut sparse = Address::new("Sokak 2", "  ", "TR").with_line2("   ");
        sparse.postal_code = Some(String::new());
        assert_eq!(sparse.single_line(), "Sokak 2, TR");
        // The room asked for holds the line: every part with its separator.
        for address in [&full, &sparse] {
            assert!(address.single_line_room() >= address.single_line().len());
        }
        assert_eq!(full.single_line_room(), full.single_line().len() + 4);
        assert_eq!(Address::new("", "", "").single_line(), "");
    }

    #[test]
    fn written_texts_are_appended_after_what_the_buffer_holds() {
        let ip = IpAddr::from([127, 0, 0, 1]);
        let mut text = String::from("before|");
        Customer::new(" Jane ", "Doe", "a@b.co", ip).write_full_name(&mut text);
        text.push('|');
        // The first part written gets no separator although the buffer is not empty.
        Address::new("Sokak 2", "Istanbul", "TR").write_single_line(&mut text);
        text.push('|');
        Address::new(" ", " ", " ").write_single_line(&mut text);
        assert_eq!(text, "before|Jane Doe|Sokak 2, Istanbul, TR|");
    }
}
