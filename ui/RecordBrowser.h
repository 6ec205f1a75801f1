#pragma once
// Records of one entity through its own tools, as the operator: search by id or a field
// ({prefix}.get-by-id / {prefix}.collection), open a record to see its versions
// ({prefix}.history: who, when, through what, which operation) and the diff between any two.
#include "console/ConsoleLink.h"

#include <QHash>
#include <QJsonArray>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace koan::ui {

class EntityOverridesModel;
class RecordsModel;
class RecordVersionsModel;

class RecordBrowser : public QWidget
{
    Q_OBJECT
public:
    RecordBrowser(ConsoleLink *link, EntityOverridesModel *entities, QWidget *parent = nullptr);

    QComboBox *entityBox() const { return m_entity; }
    QComboBox *fieldBox() const { return m_field; }
    QLineEdit *searchEdit() const { return m_search; }
    QPushButton *searchButton() const { return m_searchButton; }
    QTableView *recordsView() const { return m_recordsView; }
    QTableView *versionsView() const { return m_versionsView; }
    RecordsModel *recordsModel() const { return m_records; }
    RecordVersionsModel *versionsModel() const { return m_versions; }
    QComboBox *fromBox() const { return m_from; }
    QComboBox *toBox() const { return m_to; }
    QPlainTextEdit *diffView() const { return m_diff; }
    QLabel *message() const { return m_message; }
    QString openRecordId() const { return m_openId; }

public slots:
    void search();
    void openRecord(const QString &id);
    void toolInvoked(const QString &requestId, const QJsonObject &request, const QJsonObject &response,
                     double durationMs);

protected:
    void showEvent(QShowEvent *event) override;

private:
    enum class Purpose { List, ById, DeletedById, History };
    struct Pending {
        Purpose purpose;
        QString prefix;
        QString id;
    };
    void refreshEntities();
    void entityChanged();
    QString prefix() const;
    void call(Purpose purpose, const QString &tool, const QJsonObject &arguments, const QString &id = {});
    void showRecords(const QJsonArray &items);
    void updateFields(const QJsonArray &items);
    QString textFieldFor(const QJsonObject &record) const;
    void versionsSelected();
    void updateDiff();
    void setMessage(const QString &text, bool error = false);

    ConsoleLink *m_link;
    EntityOverridesModel *m_entityModel;
    QComboBox *m_entity;
    QComboBox *m_field;
    QLineEdit *m_search;
    QPushButton *m_searchButton;
    RecordsModel *m_records;
    QTableView *m_recordsView;
    RecordVersionsModel *m_versions;
    QTableView *m_versionsView;
    QComboBox *m_from;
    QComboBox *m_to;
    QPlainTextEdit *m_diff;
    QLabel *m_message;
    QHash<QString, Pending> m_pending;
    QHash<QString, QJsonValue::Type> m_fieldTypes; // top-level fields seen in this entity's records
    QJsonArray m_historyPages;
    QString m_openId;
    QString m_textField;
    int m_nextId = 1;
};

} // namespace koan::ui
