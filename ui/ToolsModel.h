#pragma once
// Table of every entity tool with its entity, operation and current availability.
#include <QAbstractTableModel>

namespace koan {
class EntityRegistry;
namespace ui {

class ToolsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Entity, Operation, Description, ColumnCount };
    explicit ToolsModel(EntityRegistry *registry, QObject *parent = nullptr);
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    EntityRegistry *m_registry;
};

} // namespace ui
} // namespace koan
