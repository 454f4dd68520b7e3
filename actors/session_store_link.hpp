#pragma once

// What a session hands the store, and how it comes back from it. Each
// write goes into the store's inbox (no message, no wait): the session's
// subscribers never wait for the disk. Without a store (STORE=memory)
// every call does nothing.

#include <string>

#include "actors/session.hpp"
#include "store/store_records.hpp"

namespace agenttheo {

/// Its row: when it starts (or comes back) and when it is renamed. Its
/// ids and runs go on from its events and runs when it is read back.
void store_session(const session_state& st);
void store_run(const session_state& st, const run_record& run);
void store_event(const session_state& st, const event_ptr& ev);
void store_conversation(const session_state& st);
void store_page(const session_state& st, std::string state_json);
void store_run_forgotten(const session_state& st, const std::string& message_id);
/// The session ended: deleted (gone from the store), or idled out (kept
/// until STORE_RETENTION).
void store_session_end(const session_state& st, bool deleted);

/// Puts a stored session back: its title, ids, runs (as records), event
/// log and conversation, and where its page was. A run that was waiting
/// for a person comes back waiting: its step and its pending interrupts
/// (in `st.interrupts`, each with the time it had left in `remaining`; the
/// session arms their timers). Other runs that had not finished are left
/// as they were; the session ends them.
void restore_session(session_state& st, const restored_session& saved);

} // namespace agenttheo
