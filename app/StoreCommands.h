#pragma once
// `koan-mcp store copy`: moves an existing SQLite store into an empty PostgreSQL database (the
// way from one node to several replicas), row for row - records with their versions, idempotency
// keys, tasks, the audit trail with its hashes and sequence numbers unchanged - in one transaction,
// then verifies the copy: the same row count in every table and the audit chain intact.
#include <QString>

namespace koan {

class StoreCommands
{
public:
    // 0 copied and verified; 1 the copy does not verify (rolled back nothing: reported); 2 usage,
    // a store that cannot be opened, or a target that already holds data.
    static int copy(const QString &from, const QString &to);
};

} // namespace koan
