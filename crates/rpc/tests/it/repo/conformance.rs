//! Every case of the store conformance suite, through `RepoClient` and a
//! real `RepoServer`: the remote store keeps the semantics of the one it
//! wraps (per-message commit outcomes and order, conflicts and their
//! messages, `None`s and `false`s).

ferrochat_test_support::store_conformance_tests!(super::fresh_client);
