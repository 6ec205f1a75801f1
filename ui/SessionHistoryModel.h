#pragma once
// Sessions that ended, newest first: the server's SessionHistory (snapshot, then one row per
// sessionEnded), bounded like it.
#include "sessions/SessionHistory.h"

#include <QAbstractTableModel>

namespace koan::ui {

class SessionHistoryModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Id,
        Transport,
        Era,
        Client,
        Subject,
        Remote,
        Started,
        Ended,
        Duration,
        Reason,
        MessagesIn,
        MessagesOut,
        ColumnCount
    };
    static constexpr int SessionIdRole = Qt::UserRole + 1;
    static constexpr int ReasonKeyRole = Qt::UserRole + 2; // SessionHistory::reasonKey

    explicit SessionHistoryModel(int capacity = 1000, QObject *parent = nullptr);
    static QString describe(koan::EndReason kind); // translated, for the Reason column
    static QString duration(qint64 ms);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    const koan::EndedSession &ended(int row) const { return m_rows.at(row); }
    int capacity() const { return m_capacity; }

public slots:
    void reset(const QList<koan::EndedSession> &ended); // oldest first, as the server keeps them
    void append(const koan::EndedSession &ended);

private:
    int m_capacity;
    QList<koan::EndedSession> m_rows; // newest first
};

} // namespace koan::ui
