//! Status for a terminal or a CI log: a table of flags × environments that fits 100 columns.
//! Cells wider than their column fold onto more lines; environments that do not fit beside
//! each other go to a second table below.

use anstyle::{AnsiColor, Style};

use super::{expiry_note, explain, mark, not_in_sync, short_deployment, summary, value_parts};
use crate::status::{Cell, Expiry, Row, StatusReport, SyncState};

/// The width the table fits in.
const WIDTH: usize = 100;
const GAP: usize = 2;
const FLAG_MIN: usize = 16;
const FLAG_MAX: usize = 30;
const CELL_MIN: usize = 16;
const CELL_MAX: usize = 28;

pub fn render(report: &StatusReport, color: bool) -> String {
    let mut out = format!(
        "flagops status · {} · git {} · {}\n{}\n\n",
        report.backend,
        super::short_sha(&report.commit),
        report.today,
        summary(report)
    );
    if report.rows.is_empty() {
        out.push_str("no flags selected\n");
    }
    let several = several_profiles(report);
    let left: Vec<Vec<Line>> = report.rows.iter().map(row_head).collect();
    let flag_width = left
        .iter()
        .flatten()
        .map(|l| width(&l.text))
        .max()
        .unwrap_or(0)
        .clamp(FLAG_MIN, FLAG_MAX);
    let per_table = ((WIDTH - flag_width) / (CELL_MIN + GAP)).max(1);
    let columns: Vec<usize> = (0..report.environments.len()).collect();
    for group in columns.chunks(per_table) {
        if report.rows.is_empty() {
            break;
        }
        let cell_width = ((WIDTH - flag_width) / group.len())
            .saturating_sub(GAP)
            .clamp(CELL_MIN, CELL_MAX);
        table(
            &mut out, report, &left, group, flag_width, cell_width, color,
        );
    }
    let mut first = true;
    for (row, cell) in not_in_sync(report) {
        if first {
            out.push_str("not in sync:\n");
            first = false;
        }
        out.push_str(&format!(
            "  {} in {}: {}\n",
            name(row, several),
            cell.environment,
            explain(cell)
        ));
    }
    for b in &report.not_compared {
        out.push_str(&format!(
            "not compared: {}\n",
            crate::output::describe_blocked(b)
        ));
    }
    for u in &report.unreachable {
        out.push_str(&format!(
            "not reached: {}\n",
            crate::output::describe_unreachable(u)
        ));
    }
    out
}

/// A line of text and the style it is shown in.
struct Line {
    text: String,
    style: Style,
}

impl Line {
    fn plain(text: String) -> Self {
        Line {
            text,
            style: Style::new(),
        }
    }
}

fn width(text: &str) -> usize {
    text.chars().count()
}

/// Whether the rows come from more than one application or profile (then rows are named in full).
fn several_profiles(report: &StatusReport) -> bool {
    report
        .rows
        .iter()
        .any(|r| r.application != report.rows[0].application || r.profile != report.rows[0].profile)
}

fn name(row: &Row, several: bool) -> String {
    if several {
        format!("{}/{}/{}", row.application, row.profile, row.key)
    } else {
        row.key.clone()
    }
}

fn row_head(row: &Row) -> Vec<Line> {
    let mut lines = vec![Line {
        text: row.key.clone(),
        style: Style::new().bold(),
    }];
    let mut about = vec![row.class.as_str().to_owned()];
    if let Some(owner) = &row.owner {
        about.push(owner.clone());
    }
    lines.push(Line::plain(about.join(" · ")));
    if let Some(note) = expiry_note(row) {
        let style = match row.expiry {
            Some(Expiry::Expired) => fg(AnsiColor::Red).bold(),
            Some(Expiry::Soon) => fg(AnsiColor::Yellow),
            _ => Style::new().dimmed(),
        };
        lines.push(Line { text: note, style });
    }
    if let Some(date) = &row.deprecated {
        lines.push(Line {
            text: format!("deprecated {date}"),
            style: fg(AnsiColor::Yellow),
        });
    }
    if let Some(refs) = &row.references {
        lines.push(match refs.count {
            0 => Line {
                text: "no code reads it".to_owned(),
                style: fg(AnsiColor::Yellow),
            },
            n => Line {
                text: format!("{n} code reference{}", if n == 1 { "" } else { "s" }),
                style: Style::new().dimmed(),
            },
        });
    }
    lines
}

fn fg(color: AnsiColor) -> Style {
    Style::new().fg_color(Some(color.into()))
}

fn sync_style(sync: SyncState) -> Style {
    match sync {
        SyncState::InSync => fg(AnsiColor::Green),
        SyncState::Changed => fg(AnsiColor::Yellow),
        SyncState::Held | SyncState::OutOfBand | SyncState::Missing => fg(AnsiColor::Red).bold(),
        SyncState::Pending => fg(AnsiColor::Cyan),
    }
}

fn cell_lines(cell: Option<&Cell>, width: usize) -> Vec<Line> {
    let Some(cell) = cell else {
        return vec![Line {
            text: "·".to_owned(),
            style: Style::new().dimmed(),
        }];
    };
    let mut lines = vec![Line {
        text: format!("{} {}", mark(cell.sync), cell.sync.as_str()),
        style: sync_style(cell.sync),
    }];
    if cell.sync != SyncState::Missing {
        let parts = value_parts(cell.live.as_ref());
        lines.extend(parts.iter().map(|p| Line::plain(super::cut(p, width))));
    }
    if let Some(d) = &cell.deployment {
        lines.push(Line {
            text: short_deployment(d),
            style: Style::new().dimmed(),
        });
    }
    lines
}

/// `lines` folded to `width` characters, at spaces where it can.
fn fold(lines: Vec<Line>, width: usize) -> Vec<Line> {
    let mut out = Vec::new();
    for line in lines {
        let mut rest: Vec<char> = line.text.chars().collect();
        while rest.len() > width {
            let cut = rest[..=width]
                .iter()
                .rposition(|c| *c == ' ')
                .filter(|&at| at > 0)
                .unwrap_or(width);
            out.push(Line {
                text: rest[..cut].iter().collect(),
                style: line.style,
            });
            let skip = usize::from(rest.get(cut) == Some(&' '));
            rest.drain(..cut + skip);
        }
        out.push(Line {
            text: rest.into_iter().collect(),
            style: line.style,
        });
    }
    out
}

fn padded(out: &mut String, line: Option<&Line>, width: usize, color: bool) {
    let (text, style) = line.map_or(("", Style::new()), |l| (l.text.as_str(), l.style));
    if color && !text.is_empty() {
        out.push_str(&format!("{style}{text}{style:#}"));
    } else {
        out.push_str(text);
    }
    out.push_str(&" ".repeat(width.saturating_sub(self::width(text))));
}

fn table(
    out: &mut String,
    report: &StatusReport,
    left: &[Vec<Line>],
    group: &[usize],
    flag_width: usize,
    cell_width: usize,
    color: bool,
) {
    let gap = " ".repeat(GAP);
    let header = Line {
        text: "flag".to_owned(),
        style: Style::new().bold(),
    };
    // Environment names fold like cells: a long name keeps the part that tells it apart.
    let names: Vec<Vec<Line>> = group
        .iter()
        .map(|&c| {
            let name = Line {
                text: report.environments[c].clone(),
                style: Style::new().bold(),
            };
            fold(vec![name], cell_width)
        })
        .collect();
    let height = names.iter().map(Vec::len).max().unwrap_or(1);
    for i in 0..height {
        let mut line = String::new();
        padded(
            &mut line,
            if i == 0 { Some(&header) } else { None },
            flag_width,
            color,
        );
        for name in &names {
            line.push_str(&gap);
            padded(&mut line, name.get(i), cell_width, color);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let mut rule = "─".repeat(flag_width);
    for _ in group {
        rule.push_str(&gap);
        rule.push_str(&"─".repeat(cell_width));
    }
    out.push_str(&rule);
    out.push('\n');
    let several = several_profiles(report);
    let mut group_of: Option<(&str, &str)> = None;
    for (row, head) in report.rows.iter().zip(left) {
        let this = (row.application.as_str(), row.profile.as_str());
        if several && group_of != Some(this) {
            let heading = Line {
                text: format!("{} / {}", this.0, this.1),
                style: Style::new().bold().underline(),
            };
            let mut line = String::new();
            padded(&mut line, Some(&heading), 0, color);
            out.push_str(&line);
            out.push('\n');
            group_of = Some(this);
        }
        let head: Vec<Line> = fold(
            head.iter()
                .map(|l| Line {
                    text: l.text.clone(),
                    style: l.style,
                })
                .collect(),
            flag_width,
        );
        let cells: Vec<Vec<Line>> = group
            .iter()
            .map(|&c| fold(cell_lines(row.cells[c].as_ref(), cell_width), cell_width))
            .collect();
        let height = cells
            .iter()
            .map(Vec::len)
            .chain([head.len()])
            .max()
            .unwrap_or(1);
        for i in 0..height {
            let mut line = String::new();
            padded(&mut line, head.get(i), flag_width, color);
            for cell in &cells {
                line.push_str(&gap);
                padded(&mut line, cell.get(i), cell_width, color);
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::flags::FlagClass;
    use crate::status::{Cell, Row};

    fn report(environments: usize) -> StatusReport {
        let environments: Vec<String> = (0..environments)
            .map(|i| format!("environment-with-a-long-name-{i}"))
            .collect();
        let cell = |env: &String| {
            Some(Cell {
                environment: env.clone(),
                sync: SyncState::OutOfBand,
                live: Some(serde_json::json!({
                    "enabled": true,
                    "a_rather_long_attribute_name": "and a rather long value that goes on",
                })),
                differences: Vec::new(),
                cause: None,
                held: Vec::new(),
                console_owned: false,
                deployment: None,
            })
        };
        StatusReport {
            backend: "AppConfig".into(),
            today: "2026-11-22".into(),
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            repository: None,
            rows: vec![Row {
                application: "shop".into(),
                profile: "features".into(),
                key: "a_flag_key_that_is_longer_than_the_flag_column_allows_for_sure".into(),
                description: None,
                owner: Some("a-team-with-a-long-name-as-well".into()),
                class: FlagClass::Release,
                expires: Some("2026-11-01".into()),
                expiry: Some(Expiry::Expired),
                deprecated: None,
                file: "flags/shop.yaml".into(),
                references: None,
                cells: environments.iter().map(cell).collect(),
            }],
            environments,
            not_compared: Vec::new(),
            unreachable: Vec::new(),
        }
    }

    #[test]
    fn wide_cells_fold_and_many_environments_wrap_within_100_columns() {
        for n in [1, 2, 4, 9] {
            let text = render(&report(n), false);
            for line in text.lines().filter(|l| !l.starts_with("  ")) {
                assert!(width(line) <= WIDTH, "{n} environments: {line:?}\n{text}");
            }
            // Every environment has its column, named in full (folded, not cut).
            let table = text.split("not in sync:").next().unwrap_or_default();
            for i in 0..n {
                assert!(table.contains(&format!("-{i}")), "{i}: {text}");
            }
        }
        let text = render(&report(9), false);
        assert!(
            text.matches("\nflag ").count() >= 2,
            "a second table: {text}"
        );
        assert!(text.contains("expired 2026-11-01"), "{text}");
    }
}
