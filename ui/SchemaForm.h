#pragma once
// Builds an input form from a tool's JSON Schema: strings, enums, integers, numbers, booleans,
// dates and date-times get their own editors; nested objects and arrays are edited as JSON.
#include <QJsonObject>
#include <QWidget>
#include <functional>

class QFormLayout;

namespace koan::ui {

class SchemaForm : public QWidget
{
    Q_OBJECT
public:
    explicit SchemaForm(QWidget *parent = nullptr);
    void setSchema(const QJsonObject &inputSchema);
    // Collected arguments; problems (missing required field, bad JSON) are listed by field name.
    QJsonObject arguments(QStringList *problems) const;
    // Fills the editors from an arguments object (re-running a past call).
    void setArguments(const QJsonObject &arguments);
    QWidget *editor(const QString &field) const;

signals:
    void edited(); // any field changed (the raw JSON-RPC pane follows)

private:
    struct Field {
        QString name;
        QString kind; // string, enum, integer, number, boolean, date, date-time, json
        bool required = false;
        QWidget *editor = nullptr;
        QWidget *include = nullptr; // checkbox for optional non-text fields
    };
    void watch(const Field &f);

    QFormLayout *m_layout;
    QList<Field> m_fields;
};

} // namespace koan::ui
