#include "ToolsModel.h"

#include "entities/EntityRegistry.h"

namespace koan::ui {

ToolsModel::ToolsModel(EntityRegistry *registry, QObject *parent) : QAbstractTableModel(parent), m_registry(registry)
{
    connect(registry, &EntityRegistry::changed, this, [this] {
        beginResetModel();
        endResetModel();
    });
}

int ToolsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_registry->tools().size());
}

int ToolsModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ToolsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || role != Qt::DisplayRole)
        return {};
    const auto &t = m_registry->tools().at(index.row());
    switch (index.column()) {
    case Name: return t.definition.name;
    case Entity: return t.entity->name;
    case Operation: return EntityRegistry::opName(t.op);
    case Description: return t.definition.description;
    }
    return {};
}

QVariant ToolsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name: return tr("Tool");
    case Entity: return tr("Entity");
    case Operation: return tr("Operation");
    case Description: return tr("Description");
    }
    return {};
}

} // namespace koan::ui
