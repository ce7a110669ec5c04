//! A record on a bus topic, as the Kafka adapter reads it
//! (`ferrochat_proto::bus`): the same bytes offered to the `upstream`,
//! `downstream.<gateway>` and `task` decoders. A record a decoder takes is
//! written again and read back the same (decode, encode, decode is
//! stable), also when split into records of a bounded size; a new
//! message on it renders as the frame a client would get.

#![no_main]

use std::fmt::Debug;

use ferrochat_fuzz::same;
use ferrochat_ports::bus::{DownstreamRecord, Event, TaskRecord};
use ferrochat_proto::bus::{
    decode_downstream, decode_sends, decode_task, encode_downstream, encode_downstream_within,
    encode_sends, encode_sends_within, encode_task,
};
use ferrochat_proto::DecodeError;
use ferrochat_wire::messaging::MessageDto;
use libfuzzer_sys::fuzz_target;

/// Record size bounds to split at: every item alone, a few per record,
/// and larger than any input.
const SPLITS: [usize; 3] = [1, 200, 1 << 20];

fuzz_target!(|bytes: &[u8]| {
    upstream(bytes);
    downstream(bytes);
    task(bytes);
});

fn upstream(bytes: &[u8]) {
    let Ok(sends) = decode_sends(bytes) else {
        return;
    };
    assert!(!sends.is_empty(), "an upstream record of no send");
    written_again(
        &sends,
        "an upstream record",
        decode_sends(&encode_sends(&sends)),
    );
    for max in SPLITS {
        let mut read = Vec::new();
        for (n, record) in encode_sends_within(&sends, max) {
            let part = decode_sends(&record).expect("a part of a split upstream record");
            assert_eq!(part.len(), n, "a part holds {} sends, says {n}", part.len());
            read.extend(part);
        }
        same(&read, &sends, "upstream records split");
    }
}

fn downstream(bytes: &[u8]) {
    let Ok(items) = decode_downstream(bytes) else {
        return;
    };
    written_again(
        &items,
        "a downstream record",
        decode_downstream(&encode_downstream(&items)),
    );
    for max in SPLITS {
        let mut read = Vec::new();
        for record in encode_downstream_within(&items, max) {
            read.extend(decode_downstream(&record).expect("a part of a split downstream record"));
        }
        same(&read, &items, "downstream records split");
    }
    for item in &items {
        if let DownstreamRecord::Deliver { event, .. } = item {
            if let Event::NewMessage(m) = event.as_ref() {
                rendered(m);
            }
        }
    }
}

fn task(bytes: &[u8]) {
    let Ok(record) = decode_task(bytes) else {
        return;
    };
    written_again(&record, "a task record", decode_task(&encode_task(&record)));
    let (TaskRecord::Fanout { message, .. } | TaskRecord::Push { message, .. }) = &record;
    rendered(message);
}

/// `decoded`, written and read again, is `again`.
fn written_again<T: Debug>(decoded: &T, what: &str, again: Result<T, DecodeError>) {
    match again {
        Ok(again) => same(&again, decoded, &format!("{what} written again")),
        Err(e) => panic!("{what}, written again, is refused: {e}\n  {decoded:?}"),
    }
}

/// A message from the bus renders as the `new-message` frame's JSON.
fn rendered(m: &ferrochat_domain::Message) {
    let json = serde_json::to_string(&MessageDto::from(m)).expect("a message renders");
    let back: serde_json::Value = serde_json::from_str(&json).expect("its JSON reads back");
    assert_eq!(back["seq"], m.seq.get(), "seq");
    assert_eq!(back["content"], m.content.as_str(), "content");
}
