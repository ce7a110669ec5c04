//! Keys to state changes, and the actions that need the server.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::state::{State, MAX_INPUT};

/// What a key asks of the server (or of the loop).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Nothing,
    Quit,
    /// Another conversation was selected: load it, mark it read.
    Opened(String),
    Send {
        conversation_id: String,
        text: String,
    },
}

/// Applies `key` to `state`; returns what else it asks for.
pub fn on_key(state: &mut State, key: KeyEvent) -> Action {
    if key.kind == KeyEventKind::Release {
        return Action::Nothing;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => Action::Quit,
        KeyCode::Char('c') if ctrl => Action::Quit,
        KeyCode::Up | KeyCode::BackTab => select(state, -1),
        KeyCode::Down | KeyCode::Tab => select(state, 1),
        KeyCode::Enter => {
            let text = state.input.trim().to_owned();
            let Some(view) = state.current() else {
                return Action::Nothing;
            };
            if text.is_empty() {
                return Action::Nothing;
            }
            let conversation_id = view.conv.conversation_id.clone();
            state.input.clear();
            Action::Send {
                conversation_id,
                text,
            }
        }
        KeyCode::Backspace => {
            state.input.pop();
            Action::Nothing
        }
        KeyCode::Char(c) if !ctrl => {
            if state.input.chars().count() < MAX_INPUT {
                state.input.push(c);
            }
            Action::Nothing
        }
        _ => Action::Nothing,
    }
}

fn select(state: &mut State, delta: isize) -> Action {
    state.step(delta);
    match state.current() {
        Some(v) => Action::Opened(v.conv.conversation_id.clone()),
        None => Action::Nothing,
    }
}
