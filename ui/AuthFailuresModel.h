#pragma once
// Live log of authentication failures from the server's AuthAuditLog.
#include "security/AuthAuditLog.h"

#include <QAbstractTableModel>

namespace koan::ui {

class AuthFailuresModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Reason, Subject, Remote, Path, Description, ColumnCount };
    explicit AuthFailuresModel(int capacity = 2000, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    qint64 total() const { return m_total; }

public slots:
    void append(const koan::AuthFailure &failure);
    void reset(const QList<koan::AuthFailure> &failures); // the server's recent ring (a snapshot)
    void clear();

signals:
    void totalChanged(qint64 total);

private:
    int m_capacity;
    QList<koan::AuthFailure> m_rows;
    qint64 m_total = 0;
};

} // namespace koan::ui
