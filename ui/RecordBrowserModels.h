#pragma once
// The record browser's tables: records of one entity found by a search, and the versions of
// one record from its audit trail ({entity}.history), each with the document it produced.
#include <QAbstractTableModel>
#include <QJsonArray>
#include <QJsonObject>
#include <optional>

namespace koan::ui {

struct RecordRow {
    QString id;
    QString text;    // the chosen text field's value
    QString version; // "3", or "deleted" for a record only its history still knows
};

class RecordsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Id, Text, Version, ColumnCount };
    explicit RecordsModel(QObject *parent = nullptr);

    void setRecords(const QList<RecordRow> &rows, const QString &textField);
    const RecordRow &record(int row) const { return m_rows.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<RecordRow> m_rows;
    QString m_textField;
};

struct RecordVersion {
    qint64 seq = 0;
    QString at;
    QString operation; // create, update, patch, delete, migrated
    QString principal;
    QString transport;
    std::optional<qint64> versionBefore;
    std::optional<qint64> versionAfter;
    QJsonValue change;
    QJsonObject document; // the record after this version (for a delete: the last document)
    bool deleted = false;
    QString problem; // set when the change could not be applied
};

class RecordVersionsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Version, At, Operation, Principal, Transport, ColumnCount };
    explicit RecordVersionsModel(QObject *parent = nullptr);

    // `versions` are {entity}.history entries; sorted by seq and replayed into documents.
    void setVersions(const QJsonArray &versions);
    void clear();
    const QList<RecordVersion> &versions() const { return m_rows; }
    QString label(int row) const; // "v3", or "deleted (v3)"

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<RecordVersion> m_rows;
};

// The changes from version `from` to version `to` as readable lines ("replace /name: "A" → "B"")
// followed by the JSON Patch itself. A deleted version counts as an empty document.
QString describeDiff(const RecordVersion &from, const QString &fromLabel, const RecordVersion &to,
                     const QString &toLabel);

} // namespace koan::ui
