//! Issue 15, item 3: the repo answers a commit's stored messages with
//! their seq alone when the request asks (as `RepoClient` does, holding
//! the rest), whole when it does not (a caller from before the field);
//! a duplicate always whole, since the original, not the resend, is what
//! is delivered.

use ferrochat_domain::{ConversationKind, MessageContent, MessageId, Seq};
use ferrochat_ports::store::Committed;
use ferrochat_ports::MessageStore;
use ferrochat_proto::pb;
use ferrochat_proto::pb::committed::Outcome;
use ferrochat_test_support::conformance::fixtures::{self, text};

use super::bad_requests::raw;
use super::{Repo, TIMEOUT};

fn outcome(answer: &pb::CommitMessagesAnswer) -> Outcome {
    answer.committed[0].outcome.clone().expect("an outcome")
}

#[tokio::test]
async fn a_stored_message_is_answered_by_its_seq_and_a_duplicate_whole() {
    let repo = Repo::start().await;
    let client = repo.client(TIMEOUT);
    let [a, b] = <[_; 2]>::try_from(fixtures::users(&client, "answer", 2).await).unwrap();
    let ab = client
        .open_single(&a.id, &b.id, fixtures::T0)
        .await
        .unwrap();
    let mut raw = raw(&repo).await;

    let first = text(&ab, ConversationKind::Single, &a.id);
    let request = pb::CommitMessagesRequest::new(std::slice::from_ref(&first));
    let answer = raw.commit_messages(request).await.unwrap().into_inner();
    assert!(
        matches!(outcome(&answer), Outcome::StoredSeq(1)),
        "{answer:?}"
    );

    let second = text(&ab, ConversationKind::Single, &a.id);
    let old = pb::CommitMessagesRequest {
        seq_only: false,
        ..pb::CommitMessagesRequest::new(std::slice::from_ref(&second))
    };
    let answer = raw.commit_messages(old).await.unwrap().into_inner();
    let Outcome::Stored(whole) = outcome(&answer) else {
        panic!("{answer:?}");
    };
    assert_eq!(
        (whole.seq, whole.content.as_str()),
        (2, second.content.as_str())
    );

    // A client's resend: logic gives it an id of its own.
    let mut resend = first.clone();
    resend.id = MessageId::generate();
    resend.content = MessageContent::from_stored("resent, other words".into());
    let request = pb::CommitMessagesRequest::new(std::slice::from_ref(&resend));
    let answer = raw.commit_messages(request).await.unwrap().into_inner();
    let Outcome::Duplicate(original) = outcome(&answer) else {
        panic!("{answer:?}");
    };
    assert_eq!(original.content, first.content.as_str());

    // Through the client: the stored message rebuilt from the request.
    let third = text(&ab, ConversationKind::Single, &b.id);
    let out = client
        .commit_messages(std::slice::from_ref(&third))
        .await
        .unwrap();
    let Committed::Stored(m) = &out[0] else {
        panic!("{out:?}");
    };
    assert_eq!(m, &third.stored(Seq::new(3)));
    repo.stop().await;
}
