#pragma once
// The tasks of the tasks extension, every principal's, newest first: the store's list (a snapshot)
// kept current by the task events of this server (created, progress, finished).
#include "admin/AdminController.h"

#include <QAbstractTableModel>

namespace koan::ui {

class TasksModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Tool, Status, Progress, Owner, Created, Updated, Message, Id, ColumnCount };
    static constexpr int TaskIdRole = Qt::UserRole + 1;
    static constexpr int StatusKeyRole = Qt::UserRole + 2; // the wire status ("working", ...)
    static constexpr int RunningRole = Qt::UserRole + 3;
    static constexpr int SortRole = Qt::UserRole + 4;
    static constexpr int ProgressRole = Qt::UserRole + 5; // 0..1, or -1 when unknown

    explicit TasksModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString describe(const QString &status);
    const QList<koan::TaskSnapshot> &tasks() const { return m_rows; }
    int runningCount() const;

public slots:
    void reset(const QList<koan::TaskSnapshot> &tasks);
    // A new task goes on top; a known one is replaced.
    void update(const koan::TaskSnapshot &task);

signals:
    void runningCountChanged(int running);

private:
    int rowOf(const QString &taskId) const;

    QList<koan::TaskSnapshot> m_rows;
};

} // namespace koan::ui
