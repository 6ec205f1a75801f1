#pragma once
// History of every tools/call the server ran (any transport, including the console's own): a ring
// of the last `capacity` calls in arrival order; pinned calls are never evicted.
#include "core/ToolCallRecord.h"

#include <QAbstractTableModel>

namespace koan::ui {

class ToolCallsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Session, Era, Subject, Tool, Duration, Outcome, TraceId, ColumnCount };
    enum Role {
        PinnedRole = Qt::UserRole + 1, // bool
        OutcomeRole,                   // ok, tool_error, rpc_error, cancelled, input_required, task
        SessionKeyRole,                // the session id, or the stateless caller's client name
        SubjectRole,
        ToolRole,
        SearchTextRole, // tool, arguments, result, error and trace id as one text, for the search
        SequenceRole,   // arrival order (qint64), for sorting pinned calls first
    };
    explicit ToolCallsModel(int capacity = 1000, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    const koan::ToolCallRecord &record(int row) const { return m_rows.at(row).record; }
    bool isPinned(int row) const { return m_rows.at(row).pinned; }
    void setPinned(int row, bool pinned);
    // The session column's text: the session id, or for a stateless call its caller.
    static QString sessionKey(const koan::ToolCallRecord &r);
    static QString outcomeText(const QString &outcome);
    static QString eraText(const koan::ToolCallRecord &r);

public slots:
    void toolCallFinished(const koan::ToolCallRecord &record);

private:
    struct Row {
        koan::ToolCallRecord record;
        bool pinned = false;
        qint64 sequence = 0;
    };
    int m_capacity;
    qint64 m_nextSequence = 0;
    QList<Row> m_rows;
};

} // namespace koan::ui
