//! The terminal loop: raw mode and the alternate screen, restored on the
//! way out (even on error); keys and live events to the app, a redraw after
//! each.

use crossterm::event::{Event, EventStream};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use futures::StreamExt as _;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

use super::app::{ChatApp, Flow};
use crate::error::{ChatError, Result};
use crate::session::Session;

/// Puts the terminal back as it was when dropped.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = disable_raw_mode();
        let _ = execute!(std::io::stdout(), LeaveAlternateScreen);
    }
}

/// Runs the TUI until Esc or Ctrl-C.
pub async fn run(session: Session) -> Result<()> {
    let mut app = ChatApp::open(session).await?;
    enable_raw_mode()?;
    let _restore = Restore;
    execute!(std::io::stdout(), EnterAlternateScreen)?;
    let mut terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    let mut keys = EventStream::new();
    loop {
        terminal.draw(|f| app.draw(f))?;
        let flow = tokio::select! {
            ev = keys.next() => match ev {
                Some(Ok(Event::Key(key))) => app.on_key(key).await,
                Some(Ok(_)) => Flow::Continue,
                Some(Err(e)) => return Err(e.into()),
                None => Flow::Quit,
            },
            ev = app.next_event() => match ev {
                Some(ev) => app.on_event(ev).await,
                None => Flow::Quit,
            },
        };
        if flow == Flow::Quit {
            // Said after the screen is restored, where it stays readable.
            return match app.ended() {
                Some(why) => Err(ChatError::SessionEnded(why.to_owned())),
                None => Ok(()),
            };
        }
    }
}
