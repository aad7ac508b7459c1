//! A parser for AppConfig's variant rule language (s-expressions), so a malformed rule fails
//! on the pull request rather than at upload.
//!
//! Operators: `eq gt gte lt lte` (2 operands), `and or` (1 or more), `not` (1),
//! `begins_with ends_with contains in` (2), `matches in:: pattern::`, `exists key::`,
//! `split pct:: by:: [seed::]`. Operands: strings, numbers, timestamps, `true`/`false`,
//! context values `$key`, lists `[...]` and nested expressions.

use std::fmt;

/// A syntax error, with the character offset where it was noticed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.offset + 1)
    }
}

impl RuleError {
    /// How to write the expression the error is in, as a fix hint: the form of the operator
    /// whose `(` encloses the error in `rule`, or of a rule in general.
    pub fn hint(&self, rule: &str) -> String {
        let before: String = rule.chars().take(self.offset + 1).collect();
        let op = before
            .rfind('(')
            .and_then(|i| rule[i + 1..].split([' ', '\t', '\n', '(', ')']).next())
            .unwrap_or_default();
        let form = match op {
            "eq" => r#"(eq $state "Virginia")"#,
            "gt" => "(gt $age 21)",
            "gte" => "(gte $age 21)",
            "lt" => "(lt $score 0.5)",
            "lte" => "(lte $score 0.5)",
            "and" => r#"(and (gte $age 21) (not (eq $country "US")))"#,
            "or" => r#"(or (eq $tier "gold") (eq $tier "platinum"))"#,
            "not" => r#"(not (eq $country "US"))"#,
            "begins_with" => r#"(begins_with $state "A")"#,
            "ends_with" => r#"(ends_with $email "amazon.com")"#,
            "contains" => r#"(contains $promoCode "WIN")"#,
            "in" => r#"(in $userId ["123","456"])"#,
            "matches" => r#"(matches in::$greeting pattern::"h.*y")"#,
            "exists" => r#"(exists key::"country")"#,
            "split" => r#"(split pct::10 by::$userId seed::"abc")"#,
            _ => {
                return r#"write one expression `(operator operands…)`, e.g. `(eq $state "Virginia")`: operators are eq gt gte lt lte and or not begins_with ends_with contains in matches exists split; quote strings, prefix context keys with `$`"#.to_owned();
            }
        };
        format!("write it in the form `{form}`: quote strings, prefix context keys with `$`")
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    ListOpen,
    ListClose,
    Str,
    Word(String),
    Named(String),
}

fn tokenize(rule: &str) -> Result<Vec<(usize, Token)>, RuleError> {
    let chars: Vec<char> = rule.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() || c == ',' => i += 1,
            '(' => {
                tokens.push((i, Token::Open));
                i += 1;
            }
            ')' => {
                tokens.push((i, Token::Close));
                i += 1;
            }
            '[' => {
                tokens.push((i, Token::ListOpen));
                i += 1;
            }
            ']' => {
                tokens.push((i, Token::ListClose));
                i += 1;
            }
            '"' => {
                let start = i;
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(RuleError {
                                offset: start,
                                message: "unterminated string".into(),
                            });
                        }
                        Some('\\') => i += 2,
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
                tokens.push((start, Token::Str));
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '[' | ']' | '"' | ',')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                match word.split_once("::") {
                    Some((name, rest)) => {
                        tokens.push((start, Token::Named(name.to_owned())));
                        if !rest.is_empty() {
                            tokens.push((
                                start + name.chars().count() + 2,
                                Token::Word(rest.to_owned()),
                            ));
                        }
                    }
                    None => tokens.push((start, Token::Word(word))),
                }
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&(usize, Token)> {
        self.tokens.get(self.pos)
    }

    fn offset(&self) -> usize {
        self.peek().map_or(self.end, |t| t.0)
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, RuleError> {
        Err(RuleError {
            offset: self.offset(),
            message: message.into(),
        })
    }

    fn expression(&mut self) -> Result<(), RuleError> {
        let open_at = self.offset();
        if self.peek().map(|t| &t.1) != Some(&Token::Open) {
            return self.err("expected `(` to start an expression");
        }
        self.pos += 1;
        let op = match self.peek() {
            Some((_, Token::Word(w))) => w.clone(),
            _ => return self.err("expected an operator after `(`"),
        };
        let op_at = self.offset();
        self.pos += 1;
        let mut positional = 0;
        let mut named: Vec<String> = Vec::new();
        loop {
            match self.peek().map(|t| t.1.clone()) {
                None => {
                    return Err(RuleError {
                        offset: open_at,
                        message: "unclosed `(`".into(),
                    });
                }
                Some(Token::Close) => {
                    self.pos += 1;
                    break;
                }
                Some(Token::Named(name)) => {
                    self.pos += 1;
                    if named.contains(&name) {
                        return self.err(format!("`{name}::` given twice"));
                    }
                    named.push(name);
                    self.operand()?;
                }
                Some(_) => {
                    positional += 1;
                    self.operand()?;
                }
            }
        }
        check_arity(&op, positional, &named).map_err(|message| RuleError {
            offset: op_at,
            message,
        })
    }

    fn operand(&mut self) -> Result<(), RuleError> {
        match self.peek().map(|t| t.1.clone()) {
            Some(Token::Open) => self.expression(),
            Some(Token::Str) => {
                self.pos += 1;
                Ok(())
            }
            Some(Token::ListOpen) => {
                self.pos += 1;
                loop {
                    match self.peek().map(|t| t.1.clone()) {
                        Some(Token::ListClose) => {
                            self.pos += 1;
                            return Ok(());
                        }
                        Some(Token::Str) => self.pos += 1,
                        Some(Token::Word(w)) if is_literal(&w) => self.pos += 1,
                        None => return self.err("unclosed `[`"),
                        _ => return self.err("lists hold strings, numbers and booleans only"),
                    }
                }
            }
            Some(Token::Word(w)) => {
                if let Some(key) = w.strip_prefix('$') {
                    if key.is_empty() {
                        return self.err("`$` needs a context key, e.g. `$userId`");
                    }
                } else if !is_literal(&w) {
                    return self.err(format!(
                        "`{w}` is not a value: quote strings, prefix context keys with `$`"
                    ));
                }
                self.pos += 1;
                Ok(())
            }
            Some(Token::Close) => self.err("expected an operand"),
            Some(Token::ListClose) => self.err("unexpected `]`"),
            Some(Token::Named(n)) => self.err(format!("unexpected `{n}::`")),
            None => self.err("expected an operand, found the end of the rule"),
        }
    }
}

/// Numbers, booleans and W3C timestamps (`2024-01`, `2012-03-04T05:06:07-08:00`).
fn is_literal(word: &str) -> bool {
    word == "true"
        || word == "false"
        || word.parse::<f64>().is_ok()
        || (word.starts_with(|c: char| c.is_ascii_digit())
            && word
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | 'T' | 'Z' | '.' | '+')))
}

fn check_arity(op: &str, positional: usize, named: &[String]) -> Result<(), String> {
    let only_positional = |n: usize, exact: bool| -> Result<(), String> {
        if let Some(name) = named.first() {
            return Err(format!("`{op}` takes no `{name}::` argument"));
        }
        match (exact, positional) {
            (true, p) if p != n => Err(format!("`{op}` takes {n} operand(s), found {p}")),
            (false, p) if p < n => Err(format!("`{op}` takes at least {n} operand(s), found {p}")),
            _ => Ok(()),
        }
    };
    let only_named = |required: &[&str], optional: &[&str]| -> Result<(), String> {
        if positional > 0 {
            return Err(format!(
                "`{op}` takes named arguments only ({})",
                required
                    .iter()
                    .map(|r| format!("{r}::"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
        if let Some(unknown) = named
            .iter()
            .find(|n| !required.contains(&n.as_str()) && !optional.contains(&n.as_str()))
        {
            return Err(format!("`{op}` has no `{unknown}::` argument"));
        }
        if let Some(missing) = required.iter().find(|r| !named.iter().any(|n| n == *r)) {
            return Err(format!("`{op}` needs `{missing}::`"));
        }
        Ok(())
    };
    match op {
        "eq" | "gt" | "gte" | "lt" | "lte" | "begins_with" | "ends_with" | "contains" | "in" => {
            only_positional(2, true)
        }
        "not" => only_positional(1, true),
        "and" | "or" => only_positional(1, false),
        "matches" => only_named(&["in", "pattern"], &[]),
        "exists" => only_named(&["key"], &[]),
        "split" => only_named(&["pct", "by"], &["seed"]),
        other => Err(format!(
            "unknown operator `{other}` (known: eq gt gte lt lte and or not begins_with ends_with contains in matches exists split)"
        )),
    }
}

/// Checks one rule expression.
pub fn parse(rule: &str) -> Result<(), RuleError> {
    let tokens = tokenize(rule)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        end: rule.chars().count(),
    };
    if parser.peek().is_none() {
        return parser.err("the rule is empty");
    }
    parser.expression()?;
    if parser.peek().is_some() {
        return parser.err("unexpected text after the expression");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn the_documented_examples_parse() {
        for rule in [
            r#"(eq $state "Virginia")"#,
            r#"(and (gte $age 21) (not (eq $country "US")))"#,
            r#"(begins_with $state "A")"#,
            r#"(ends_with $email "amazon.com")"#,
            r#"(contains $promoCode "WIN")"#,
            r#"(in $userId ["123","456"])"#,
            r#"(matches in::$greeting pattern::"h.*y")"#,
            r#"(exists key::"country")"#,
            r#"(split pct::10 by::$userId seed::"abc")"#,
            r#"(gt $date 2012-03-04T05:06:07-08:00)"#,
            r#"(or (eq $tier "gold") (eq $tier "platinum") (lt $score 0.5))"#,
        ] {
            assert_eq!(parse(rule), Ok(()), "{rule}");
        }
    }

    #[test]
    fn malformed_rules_say_what_is_wrong() {
        let cases = [
            ("", "the rule is empty"),
            ("(eq $a \"b\"", "unclosed `(`"),
            ("(eq $a)", "`eq` takes 2 operand(s), found 1"),
            ("(equals $a 1)", "unknown operator `equals`"),
            ("(eq $a Virginia)", "`Virginia` is not a value"),
            ("(split by::$u)", "`split` needs `pct::`"),
            (
                "(exists \"country\")",
                "`exists` takes named arguments only",
            ),
            ("(eq $a \"b) ", "unterminated string"),
            (
                "(eq $a 1) (eq $b 2)",
                "unexpected text after the expression",
            ),
            ("(not $a $b)", "`not` takes 1 operand(s), found 2"),
        ];
        for (rule, expected) in cases {
            let err = parse(rule).expect_err(rule);
            assert!(err.message.starts_with(expected), "{rule}: {}", err.message);
        }
    }

    #[test]
    fn the_hint_shows_the_form_of_the_operator_the_error_is_in() {
        let hint = |rule: &str| parse(rule).expect_err(rule).hint(rule);
        assert!(hint("(split by::$u)").contains("`(split pct::10 by::$userId"));
        assert!(hint("(and (eq $a))").contains(r#"`(eq $state "Virginia")`"#));
        assert!(hint("(equals $a 1)").contains("operators are eq gt"));
        assert!(hint("").contains("operators are eq gt"));
    }
}
