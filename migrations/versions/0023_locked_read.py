"""locked_read: andan_lock_and_read(), an update's conversation lock and its read in one round trip (PostgreSQL)

A plain statement cannot take the lock and then read: under READ COMMITTED its snapshot is taken when it starts,
before the lock is held, so it could miss the writes of the update that held the lock. Every query of a VOLATILE
PL/pgSQL function takes a snapshot of its own, so this function's read, run after its PERFORM, sees them. It
returns the tables' row types, not their columns: a column added to person, channel_identity or
conversation_state comes through without this function being written again (bot.core.conversation_rows picks
the columns it knows by name). Dropping or recreating one of those tables needs this function dropped first.
SQLite has no advisory locks: nothing is created there.

Revision ID: 0023_locked_read
Revises: 0022_tip_deadlines
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023_locked_read"
down_revision: str | Sequence[str] | None = "0022_tip_deadlines"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The lock is the one bot.core.conversation_rows.LOCK takes (same key hash, keys in the order given), so it
# serialises with every other holder of a conversation's lock. Parameters are p_*, results r_*: no name can
# be taken for a column of the tables read.
CREATE = """
CREATE FUNCTION andan_lock_and_read(
    p_keys text[],
    p_update_channel text,
    p_update_key text,
    p_channel text,
    p_user_id text,
    p_state_key text
) RETURNS TABLE (
    r_seen boolean,
    r_identity channel_identity,
    r_person person,
    r_state conversation_state
)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(p_keys) AS k;
    RETURN QUERY
    SELECT
        EXISTS (
            SELECT 1 FROM processed_update AS m
            WHERE m.channel = p_update_channel AND m.update_key = p_update_key
        ),
        i,
        p,
        s
    FROM (SELECT 1) AS one
    LEFT JOIN channel_identity AS i ON i.channel = p_channel AND i.external_user_id = p_user_id
    LEFT JOIN person AS p ON p.id = i.person_id
    LEFT JOIN conversation_state AS s ON s.key = p_state_key;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CREATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS andan_lock_and_read(text[], text, text, text, text, text)")
