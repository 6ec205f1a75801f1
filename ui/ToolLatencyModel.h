#pragma once
// The Overview's per-tool latency table: one row per tool called in the last 15 minutes, as the
// server aggregated it (ToolLatencyTable): calls, errors, p50, p95 and max.
#include "metrics/ToolLatencyTable.h"

#include <QAbstractTableModel>

namespace koan::ui {

class ToolLatencyModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Tool, Calls, Errors, P50, P95, Max, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    const koan::ToolLatency &tool(int row) const { return m_rows.at(row); }
    int rowOf(const QString &tool) const;
    static QString milliseconds(double ms);

public slots:
    // The same tools in the same order update in place (the selection stays); others reset.
    void setTools(const QList<koan::ToolLatency> &tools);

private:
    QList<koan::ToolLatency> m_rows;
};

} // namespace koan::ui
