#include "ToolCallsModel.h"

#include "PaletteColors.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QJsonDocument>

#include <algorithm>

namespace koan::ui {

ToolCallsModel::ToolCallsModel(int capacity, QObject *parent) : QAbstractTableModel(parent), m_capacity(capacity) { }

int ToolCallsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}
int ToolCallsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ToolCallsModel::sessionKey(const ToolCallRecord &r)
{
    if (!r.sessionId.isEmpty())
        return r.sessionId;
    return r.caller.isEmpty() ? tr("(stateless)") : tr("%1 (stateless)").arg(r.caller);
}

QString ToolCallsModel::outcomeText(const QString &outcome)
{
    if (outcome == QLatin1String("ok"))
        return tr("ok");
    if (outcome == QLatin1String("tool_error") || outcome == QLatin1String("error"))
        return tr("tool error");
    if (outcome == QLatin1String("rpc_error"))
        return tr("JSON-RPC error");
    if (outcome == QLatin1String("cancelled"))
        return tr("cancelled");
    if (outcome == QLatin1String("input_required"))
        return tr("input required");
    if (outcome == QLatin1String("task"))
        return tr("task");
    return outcome;
}

QString ToolCallsModel::eraText(const ToolCallRecord &r)
{
    if (r.era == ProtocolEra::Modern)
        return QStringLiteral("2026-07-28");
    if (r.transport == TransportKind::HttpSse)
        return tr("legacy SSE %1").arg(r.protocolVersion);
    return r.protocolVersion;
}

QVariant ToolCallsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Row &row = m_rows.at(index.row());
    const ToolCallRecord &r = row.record;
    switch (role) {
    case PinnedRole:
        return row.pinned;
    case OutcomeRole:
        return r.outcome;
    case SessionKeyRole:
        return sessionKey(r);
    case SubjectRole:
        return r.subject;
    case ToolRole:
        return r.tool;
    case SequenceRole:
        return row.sequence;
    case SearchTextRole:
        return QString(r.tool + QLatin1Char('\n') + r.traceId + QLatin1Char('\n')
                       + QString::fromUtf8(QJsonDocument(r.arguments).toJson(QJsonDocument::Compact))
                       + QLatin1Char('\n')
                       + QString::fromUtf8(QJsonDocument(r.response).toJson(QJsonDocument::Compact)));
    case Qt::FontRole:
        if (row.pinned) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == TraceId && !r.traceId.isEmpty())
            return tr("W3C trace id from the request's _meta.traceparent");
        return row.pinned ? tr("Pinned: stays at the top and is never dropped from the history") : QVariant();
    case Qt::ForegroundRole:
        if (index.column() == Outcome && r.failed())
            return QBrush(errorText());
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case Time:
        return (row.pinned ? QStringLiteral("▲ ") : QString())
               + r.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
    case Session:
        return sessionKey(r).left(24);
    case Era:
        return eraText(r);
    case Subject:
        return r.subject;
    case Tool:
        return r.tool;
    case Duration:
        return QStringLiteral("%1 ms").arg(r.durationMs, 0, 'f', 2);
    case Outcome:
        return outcomeText(r.outcome);
    case TraceId:
        return r.traceId;
    }
    return {};
}

QVariant ToolCallsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Session:
        return tr("Session / caller");
    case Era:
        return tr("Protocol");
    case Subject:
        return tr("Subject");
    case Tool:
        return tr("Tool");
    case Duration:
        return tr("Duration");
    case Outcome:
        return tr("Outcome");
    case TraceId:
        return tr("Trace id");
    }
    return {};
}

void ToolCallsModel::setPinned(int row, bool pinned)
{
    if (row < 0 || row >= m_rows.size() || m_rows.at(row).pinned == pinned)
        return;
    m_rows[row].pinned = pinned;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void ToolCallsModel::toolCallFinished(const ToolCallRecord &record)
{
    if (m_rows.size() >= m_capacity) {
        // The oldest call that is not pinned makes room; when all are pinned, the ring grows.
        const auto oldest = std::find_if(m_rows.cbegin(), m_rows.cend(), [](const Row &r) { return !r.pinned; });
        if (oldest != m_rows.cend()) {
            const int at = int(oldest - m_rows.cbegin());
            beginRemoveRows({}, at, at);
            m_rows.removeAt(at);
            endRemoveRows();
        }
    }
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
    m_rows.append(Row{record, false, m_nextSequence++});
    endInsertRows();
}

} // namespace koan::ui
