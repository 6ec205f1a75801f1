#pragma once
// The recorded wire traffic of one session or caller: frames as the server exports them
// (TrafficFrame::toJson), oldest first, bounded like the server's ring. A frame the export
// already held is not appended twice (frames are numbered per target).
#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

namespace koan::ui {

class TrafficModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Direction, Kind, Summary, ColumnCount };
    explicit TrafficModel(int capacity = 2000, QObject *parent = nullptr);

    const QJsonObject &frame(int row) const { return m_frames.at(row); }
    const QList<QJsonObject> &frames() const { return m_frames; }
    // "POST /mcp", "200 OK (text/event-stream)", "event: endpoint · /mcp/rpc?…": one line per frame.
    static QString summary(const QJsonObject &frame);
    // Headers and body of a frame, as the detail pane shows it (a JSON body pretty-printed).
    static QString details(const QJsonObject &frame);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

public slots:
    void reset(const QList<QJsonObject> &frames);
    void append(const QJsonObject &frame);

private:
    int m_capacity;
    QList<QJsonObject> m_frames;
    qint64 m_lastSeq = 0;
};

} // namespace koan::ui
