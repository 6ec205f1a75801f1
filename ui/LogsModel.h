#pragma once
// The server's log records, live (LogFeed through the console link): the last `capacity`,
// oldest first. The records arrive redacted by the log sink; the model shows them as they are.
#include "logging/LogFeed.h"

#include <QAbstractTableModel>
#include <deque>

namespace koan::ui {

class LogsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Level, Category, Session, Trace, Message, ColumnCount };
    enum Role { SeverityRole = Qt::UserRole + 1 }; // 0 debug … 4 fatal
    explicit LogsModel(int capacity = 5000, QObject *parent = nullptr);

    static int severity(const QString &level);
    const koan::LogRecord &record(int row) const { return m_rows.at(size_t(row)); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

public slots:
    void append(const koan::LogRecord &record);
    void reset(const QList<koan::LogRecord> &records);

private:
    int m_capacity;
    std::deque<koan::LogRecord> m_rows;
    qint64 m_lastSeq = 0; // a record the snapshot already held is not appended twice
};

} // namespace koan::ui
