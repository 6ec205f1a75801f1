#pragma once
// What a provider offers for completion/complete when it answers later (from its store worker).
#include <QString>
#include <QStringList>
#include <optional>

namespace koan {

struct CompletionValues {
    std::optional<QStringList> values; // nullopt: not this provider's prompt or template
    QString error;                     // the values could not be read
    QString reason;                    // with error: a code for agents (store_timeout, store_unavailable)
};

} // namespace koan
