#pragma once
// History of every tools/call the server ran (any transport, including the console's own).
#include <QAbstractTableModel>
#include <QDateTime>
#include <QJsonObject>

namespace koan::ui {

struct ToolCallRecord {
    QDateTime time;
    QString sessionId;
    QString tool;
    QJsonObject arguments;
    QJsonObject result;
    double durationMs = 0;
    QString outcome; // ok / error
};

class ToolCallsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Session, Tool, Duration, Outcome, ColumnCount };
    explicit ToolCallsModel(int capacity = 1000, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    const ToolCallRecord &record(int row) const { return m_rows.at(row); }

public slots:
    void toolCallFinished(const QString &sessionId, const QString &tool, const QJsonObject &arguments,
                          const QJsonObject &result, double durationMs, const QString &outcome);

private:
    int m_capacity;
    QList<ToolCallRecord> m_rows;
};

} // namespace koan::ui
