#pragma once
// `koan-mcp audit verify` and `koan-mcp audit export`: the audit trail for an inspector, read
// straight from the store file (no server needs to run).
#include <QString>

namespace koan {

class AuditCommands
{
public:
    // Recomputes every hash and chain link; prints the problems and exits non-zero on any.
    static int verify(const QString &databasePath);
    // Writes every row from `sinceIso` on to stdout as JSON Lines or CSV.
    static int exportTrail(const QString &databasePath, const QString &sinceIso, const QString &format);
};

} // namespace koan
