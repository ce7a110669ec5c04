//! Drawing: conversations on the left with unread badges, the open
//! conversation's messages on the right, the input line under them.

use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line as TextLine, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;

use super::state::State;

pub fn draw(frame: &mut Frame, state: &State) {
    let [left, right] =
        Layout::horizontal([Constraint::Length(28), Constraint::Min(10)]).areas(frame.area());
    let [messages, input, status] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(3),
        Constraint::Length(1),
    ])
    .areas(right);

    let items: Vec<ListItem> = state
        .convs
        .iter()
        .map(|v| {
            let mut spans = vec![Span::raw(v.conv.label())];
            if v.conv.unread > 0 {
                spans.push(Span::styled(
                    format!(" ({})", v.conv.unread),
                    Style::new().add_modifier(Modifier::BOLD),
                ));
            }
            ListItem::new(TextLine::from(spans))
        })
        .collect();
    let list = List::new(items)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title("conversations"),
        )
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .highlight_symbol("> ");
    let mut list_state = ListState::default().with_selected(Some(state.selected));
    frame.render_stateful_widget(list, left, &mut list_state);

    let (title, lines) = match state.current() {
        Some(v) => {
            // Only the newest that fit: the pane shows the end.
            let room = usize::from(messages.height.saturating_sub(2));
            let skip = v.lines.len().saturating_sub(room);
            let lines: Vec<TextLine> = v
                .lines
                .iter()
                .skip(skip)
                .map(|l| {
                    TextLine::from(vec![
                        Span::styled(
                            format!("{}: ", l.from),
                            Style::new().add_modifier(Modifier::BOLD),
                        ),
                        Span::raw(l.text.clone()),
                    ])
                })
                .collect();
            (v.conv.label(), lines)
        }
        None => ("no conversation".to_owned(), Vec::new()),
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(title)),
        messages,
    );
    frame.render_widget(
        Paragraph::new(state.input.as_str()).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!("{} (Enter sends, Tab moves, Esc quits)", state.me)),
        ),
        input,
    );
    frame.render_widget(Paragraph::new(state.status.as_str()), status);
}
