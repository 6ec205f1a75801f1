#pragma once
// Editable table of every entity's options. Edits are validated here (clear message on bad
// input) and then sent to the server, which applies them live and persists them.
#include "admin/AdminController.h"

#include <QAbstractTableModel>

namespace koan::ui {

class EntityOverridesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Entity,
        ToolPrefix,
        Description,
        AllowMutations,
        RequireAuthentication,
        RequiredScopes,
        EnabledTransports,
        ColumnCount
    };
    explicit EntityOverridesModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role) override;
    QString entityAt(int row) const { return m_rows.value(row).entity; }

    // Parses "Stdio, HttpSse" style text; returns an error message or empty.
    static QString parseTransports(const QString &text, TransportSet *out);

public slots:
    void setEntities(const QList<koan::EntitySnapshot> &entities);

signals:
    void applyRequested(const QString &entity, const koan::EntityOptions &options);
    void validationFailed(const QString &message);

private:
    QList<koan::EntitySnapshot> m_rows;
};

} // namespace koan::ui
