//! Values as Python's `repr` writes them, for the classes' `__repr__`.

/// A str as Python's `repr` writes it (single quotes), for `__repr__`.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len().saturating_add(2));
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `quote` for an optional str, `None` for none.
pub(crate) fn quote_opt(s: Option<&str>) -> String {
    py_opt(s.map(quote))
}

/// A bool as Python's `repr` writes it.
pub(crate) fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// An optional value as Python's `repr` writes it: the value, or `None`.
pub(crate) fn py_opt<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| v.to_string())
}

/// The `__repr__` of a verification result: `Class(outcome='…', ok=True, name=value, …)`,
/// the values already as Python writes them.
pub(crate) fn result_repr(
    class: &str,
    outcome: &str,
    ok: bool,
    fields: &[(&str, String)],
) -> String {
    let mut out = format!("{class}(outcome={}, ok={}", quote(outcome), py_bool(ok));
    for (name, value) in fields {
        out.push_str(&format!(", {name}={value}"));
    }
    out.push(')');
    out
}
