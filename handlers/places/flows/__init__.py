"""The places feature's conversations: /diaban, group join links, and choosing a new group."""
