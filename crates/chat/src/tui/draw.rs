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
            let bold = Style::new().add_modifier(Modifier::BOLD);
            let shown = v.lines.iter().map(|l| {
                TextLine::from(vec![
                    Span::styled(format!("{}: ", l.from), bold),
                    Span::raw(l.text.clone()),
                ])
            });
            let sending = state
                .pending
                .iter()
                .filter(|(id, _)| *id == v.conv.conversation_id)
                .map(|(_, text)| {
                    TextLine::from(vec![
                        Span::styled(format!("{}: ", state.me), bold),
                        Span::raw(text.clone()),
                        Span::styled(" (sending)", Style::new().add_modifier(Modifier::DIM)),
                    ])
                });
            let all: Vec<TextLine> = shown.chain(sending).collect();
            let skip = all.len().saturating_sub(room);
            let lines: Vec<TextLine> = all.into_iter().skip(skip).collect();
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
    // The cursor at the end of what is typed (inside the border).
    let typed = u16::try_from(state.input.chars().count()).unwrap_or(u16::MAX);
    let x = input
        .x
        .saturating_add(1)
        .saturating_add(typed)
        .min(input.right().saturating_sub(2));
    frame.set_cursor_position((x, input.y.saturating_add(1)));
}
