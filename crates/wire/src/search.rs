//! GET /api/v1/messages/search: its query string and its answer.

use ferrochat_domain::search::{highlights, SearchCursor, SearchMessages, SearchPage};
use ferrochat_domain::{ConversationId, InvalidField};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::required;
use crate::messaging::{int_param, MessageDto};
use crate::social::user_id;

/// Query string of GET /api/v1/messages/search (all values arrive as text).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchMessagesParams {
    /// 1-200 characters, 1-8 words.
    #[param(value_type = String, required = true)]
    pub q: Option<String>,
    /// Only this conversation.
    #[param(value_type = Option<String>)]
    pub conversation_id: Option<String>,
    /// Only this sender's messages (a user id).
    #[param(value_type = Option<String>)]
    pub from: Option<String>,
    /// The `next` of the previous page.
    #[param(value_type = Option<String>)]
    pub before: Option<String>,
    /// 1-50, default 20.
    #[param(value_type = Option<u64>)]
    pub limit: Option<String>,
}

impl TryFrom<SearchMessagesParams> for SearchMessages {
    type Error = InvalidField;
    fn try_from(p: SearchMessagesParams) -> Result<Self, InvalidField> {
        SearchMessages::parse(
            required(p.q, "q")?,
            p.conversation_id
                .as_deref()
                .map(ConversationId::parse)
                .transpose()?,
            p.from.as_deref().map(|u| user_id(u, "from")).transpose()?,
            p.before
                .as_deref()
                .map(|b| SearchCursor::parse(b, "before"))
                .transpose()?,
            int_param(p.limit, "limit")?,
        )
    }
}

/// One result: the message as history shows it, and where the query's
/// words are in its content (`[start, end)` in UTF-16 code units).
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResultDto {
    pub message: MessageDto,
    pub highlights: Vec<[usize; 2]>,
}

/// A page of results, newest first; `next`: the `before` of the next page,
/// when more may match.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResultsDto {
    pub results: Vec<SearchResultDto>,
    pub next: Option<String>,
}

impl SearchResultsDto {
    /// The page, with each result's highlights for `query` (as typed).
    pub fn new(page: &SearchPage, query: &str) -> Self {
        Self {
            results: page
                .messages
                .iter()
                .map(|m| SearchResultDto {
                    highlights: highlights(m.content.as_str(), query)
                        .into_iter()
                        .map(|(s, e)| [s, e])
                        .collect(),
                    message: MessageDto::from(m),
                })
                .collect(),
            next: page.next.map(|c| c.to_string()),
        }
    }
}
