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

#[cfg(test)]
mod tests {
    use super::super::state::test_conversation;
    use super::*;

    fn state() -> State {
        let convs = ["a", "b", "c"].map(test_conversation).to_vec();
        State::new("me".into(), convs)
    }

    fn press(s: &mut State, code: KeyCode) -> Action {
        on_key(s, KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn arrows_and_tab_move_enter_sends_esc_and_ctrl_c_quit() {
        let mut s = state();
        assert_eq!(press(&mut s, KeyCode::Down), Action::Opened("b".into()));
        assert_eq!(press(&mut s, KeyCode::Tab), Action::Opened("c".into()));
        assert_eq!(press(&mut s, KeyCode::Down), Action::Opened("a".into()));
        assert_eq!(press(&mut s, KeyCode::Up), Action::Opened("c".into()));
        assert_eq!(press(&mut s, KeyCode::BackTab), Action::Opened("b".into()));

        assert_eq!(
            press(&mut s, KeyCode::Enter),
            Action::Nothing,
            "nothing typed"
        );
        for c in "hix".chars() {
            press(&mut s, KeyCode::Char(c));
        }
        press(&mut s, KeyCode::Backspace);
        assert_eq!(
            press(&mut s, KeyCode::Enter),
            Action::Send {
                conversation_id: "b".into(),
                text: "hi".into()
            }
        );
        assert_eq!(s.input, "");

        let mut release = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(on_key(&mut s, release), Action::Nothing);
        assert_eq!(press(&mut s, KeyCode::Esc), Action::Quit);
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(on_key(&mut s, ctrl_c), Action::Quit);
        assert_eq!(s.input, "", "Ctrl-C is not typed");
    }
}
