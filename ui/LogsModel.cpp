#include "LogsModel.h"

#include "PaletteColors.h"

#include <QBrush>
#include <QColor>

namespace koan::ui {

LogsModel::LogsModel(int capacity, QObject *parent) : QAbstractTableModel(parent), m_capacity(capacity) { }

int LogsModel::severity(const QString &level)
{
    static const QStringList order{QStringLiteral("debug"), QStringLiteral("info"), QStringLiteral("warning"),
                                   QStringLiteral("error"), QStringLiteral("fatal")};
    return qMax(0, int(order.indexOf(level)));
}

int LogsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LogsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LogsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const LogRecord &r = m_rows.at(size_t(index.row()));
    if (role == SeverityRole)
        return severity(r.level);
    if (role == Qt::ForegroundRole && index.column() == Level) {
        const int s = severity(r.level);
        return s >= 3   ? QBrush(signalText(QColor(0xc6, 0x28, 0x28)))
               : s == 2 ? QBrush(signalText(QColor(0xef, 0x6c, 0x00)))
                        : QVariant();
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Time:
        return r.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
    case Level:
        return r.level;
    case Category:
        return r.category;
    case Session:
        return r.sessionId;
    case Trace:
        return r.traceId;
    case Message:
        return r.message;
    }
    return {};
}

QVariant LogsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Level:
        return tr("Level");
    case Category:
        return tr("Category");
    case Session:
        return tr("Session");
    case Trace:
        return tr("Trace");
    case Message:
        return tr("Message");
    }
    return {};
}

void LogsModel::append(const LogRecord &record)
{
    if (record.seq != 0 && record.seq <= m_lastSeq)
        return;
    m_lastSeq = qMax(m_lastSeq, record.seq);
    if (int(m_rows.size()) >= m_capacity) {
        beginRemoveRows({}, 0, 0);
        m_rows.pop_front();
        endRemoveRows();
    }
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
    m_rows.push_back(record);
    endInsertRows();
}

void LogsModel::reset(const QList<LogRecord> &records)
{
    beginResetModel();
    m_rows.assign(records.begin() + qMax(0, int(records.size()) - m_capacity), records.end());
    // A server that restarted numbers its records from 1 again.
    m_lastSeq = records.isEmpty() ? 0 : records.last().seq;
    endResetModel();
}

} // namespace koan::ui
