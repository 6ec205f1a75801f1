#include "SchemaForm.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDateTimeEdit>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>

#include <climits>

namespace koan::ui {

SchemaForm::SchemaForm(QWidget *parent) : QWidget(parent), m_layout(new QFormLayout(this)) { }

void SchemaForm::watch(const Field &f)
{
    if (auto *w = qobject_cast<QLineEdit *>(f.editor))
        connect(w, &QLineEdit::textChanged, this, &SchemaForm::edited);
    else if (auto *w = qobject_cast<QComboBox *>(f.editor))
        connect(w, &QComboBox::currentIndexChanged, this, &SchemaForm::edited);
    else if (auto *w = qobject_cast<QDateTimeEdit *>(f.editor))
        connect(w, &QDateTimeEdit::dateTimeChanged, this, &SchemaForm::edited);
    else if (auto *w = qobject_cast<QSpinBox *>(f.editor))
        connect(w, &QSpinBox::valueChanged, this, &SchemaForm::edited);
    else if (auto *w = qobject_cast<QDoubleSpinBox *>(f.editor))
        connect(w, &QDoubleSpinBox::valueChanged, this, &SchemaForm::edited);
    else if (auto *w = qobject_cast<QCheckBox *>(f.editor))
        connect(w, &QCheckBox::toggled, this, &SchemaForm::edited);
    else if (auto *w = qobject_cast<QPlainTextEdit *>(f.editor))
        connect(w, &QPlainTextEdit::textChanged, this, &SchemaForm::edited);
    if (auto *include = qobject_cast<QCheckBox *>(f.include))
        connect(include, &QCheckBox::toggled, this, &SchemaForm::edited);
}

QWidget *SchemaForm::editor(const QString &field) const
{
    for (const Field &f : m_fields)
        if (f.name == field)
            return f.editor;
    return nullptr;
}

void SchemaForm::setSchema(const QJsonObject &schema)
{
    while (m_layout->rowCount() > 0)
        m_layout->removeRow(0);
    m_fields.clear();
    const QJsonObject props = schema.value(QLatin1String("properties")).toObject();
    QStringList required;
    for (const auto &r : schema.value(QLatin1String("required")).toArray())
        required << r.toString();
    for (auto it = props.begin(); it != props.end(); ++it) {
        const QJsonObject p = it.value().toObject();
        const QString type = p.value(QLatin1String("type")).toString();
        const QString format = p.value(QLatin1String("format")).toString();
        Field f;
        f.name = it.key();
        f.required = required.contains(f.name);
        if (p.contains(QLatin1String("enum")) && type == QLatin1String("string")) {
            auto *combo = new QComboBox(this);
            if (!f.required)
                combo->addItem(QString());
            for (const auto &v : p.value(QLatin1String("enum")).toArray())
                combo->addItem(v.toString());
            f.kind = QStringLiteral("enum");
            f.editor = combo;
        } else if (type == QLatin1String("string")
                   && (format == QLatin1String("date") || format == QLatin1String("date-time"))) {
            QDateTimeEdit *edit = format == QLatin1String("date")
                                      ? new QDateEdit(QDate::currentDate(), this)
                                      : new QDateTimeEdit(QDateTime::currentDateTimeUtc(), this);
            edit->setCalendarPopup(true);
            if (format == QLatin1String("date-time"))
                edit->setTimeSpec(Qt::UTC);
            f.kind = format;
            f.editor = edit;
        } else if (type == QLatin1String("string")) {
            auto *line = new QLineEdit(this);
            line->setPlaceholderText(p.value(QLatin1String("description")).toString());
            f.kind = QStringLiteral("string");
            f.editor = line;
        } else if (type == QLatin1String("integer")) {
            auto *spin = new QSpinBox(this);
            const auto bound = [&p](const char *key, int fallback) {
                const QJsonValue v = p.value(QLatin1String(key));
                return v.isDouble() ? int(qBound<double>(INT_MIN, v.toDouble(), INT_MAX)) : fallback;
            };
            spin->setRange(bound("minimum", INT_MIN), bound("maximum", INT_MAX));
            spin->setValue(bound("default", qBound(spin->minimum(), 0, spin->maximum())));
            f.kind = QStringLiteral("integer");
            f.editor = spin;
        } else if (type == QLatin1String("number")) {
            auto *spin = new QDoubleSpinBox(this);
            spin->setDecimals(4);
            spin->setRange(p.value(QLatin1String("minimum")).toDouble(-1e12),
                           p.value(QLatin1String("maximum")).toDouble(1e12));
            spin->setValue(p.value(QLatin1String("default")).toDouble(qBound(spin->minimum(), 0.0, spin->maximum())));
            f.kind = QStringLiteral("number");
            f.editor = spin;
        } else if (type == QLatin1String("boolean")) {
            auto *check = new QCheckBox(this);
            check->setChecked(p.value(QLatin1String("default")).toBool(p.value(QLatin1String("const")).toBool()));
            f.kind = QStringLiteral("boolean");
            f.editor = check;
        } else {
            auto *text = new QPlainTextEdit(this);
            text->setPlaceholderText(type == QLatin1String("array") ? tr("[ … ] (JSON array)")
                                                                    : tr("{ … } (JSON object)"));
            text->setMaximumHeight(110);
            f.kind = QStringLiteral("json");
            f.editor = text;
        }
        f.editor->setObjectName(f.name);
        f.editor->setAccessibleName(f.name); // the row label is the editor's only when it is the buddy
        f.editor->setToolTip(p.value(QLatin1String("description")).toString());
        QWidget *row = f.editor;
        // Optional editors that always hold a value need an explicit "include" switch.
        const bool alwaysHasValue
            = f.kind != QLatin1String("string") && f.kind != QLatin1String("enum") && f.kind != QLatin1String("json");
        if (!f.required && alwaysHasValue) {
            auto *box = new QWidget(this);
            auto *h = new QHBoxLayout(box);
            h->setContentsMargins(0, 0, 0, 0);
            auto *include = new QCheckBox(tr("set"), box);
            include->setObjectName(f.name + QStringLiteral("-include"));
            include->setAccessibleName(tr("Send %1").arg(f.name));
            f.editor->setEnabled(false);
            connect(include, &QCheckBox::toggled, f.editor, &QWidget::setEnabled);
            h->addWidget(include);
            h->addWidget(f.editor, 1);
            f.include = include;
            row = box;
        }
        m_layout->addRow(f.required ? f.name + QStringLiteral(" *") : f.name, row);
        watch(f);
        m_fields.append(f);
    }
}

QJsonObject SchemaForm::arguments(QStringList *problems) const
{
    QJsonObject args;
    for (const Field &f : m_fields) {
        if (f.include && !static_cast<QCheckBox *>(f.include)->isChecked())
            continue;
        QJsonValue v = QJsonValue::Undefined;
        if (f.kind == QLatin1String("string")) {
            const QString s = static_cast<QLineEdit *>(f.editor)->text();
            if (!s.isEmpty())
                v = s;
        } else if (f.kind == QLatin1String("enum")) {
            const QString s = static_cast<QComboBox *>(f.editor)->currentText();
            if (!s.isEmpty())
                v = s;
        } else if (f.kind == QLatin1String("integer")) {
            v = static_cast<QSpinBox *>(f.editor)->value();
        } else if (f.kind == QLatin1String("number")) {
            v = static_cast<QDoubleSpinBox *>(f.editor)->value();
        } else if (f.kind == QLatin1String("boolean")) {
            v = static_cast<QCheckBox *>(f.editor)->isChecked();
        } else if (f.kind == QLatin1String("date")) {
            v = static_cast<QDateEdit *>(f.editor)->date().toString(Qt::ISODate);
        } else if (f.kind == QLatin1String("date-time")) {
            v = static_cast<QDateTimeEdit *>(f.editor)->dateTime().toUTC().toString(Qt::ISODate);
        } else {
            const QString text = static_cast<QPlainTextEdit *>(f.editor)->toPlainText().trimmed();
            if (!text.isEmpty()) {
                QJsonParseError err{};
                const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &err);
                if (err.error != QJsonParseError::NoError)
                    problems->append(tr("%1: invalid JSON (%2)").arg(f.name, err.errorString()));
                else
                    v = doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
            }
        }
        if (v.isUndefined()) {
            if (f.required)
                problems->append(tr("%1 is required").arg(f.name));
            continue;
        }
        args.insert(f.name, v);
    }
    return args;
}

void SchemaForm::setArguments(const QJsonObject &args)
{
    for (const Field &f : m_fields) {
        const QJsonValue v = args.value(f.name);
        if (f.include)
            static_cast<QCheckBox *>(f.include)->setChecked(!v.isUndefined());
        if (v.isUndefined())
            continue;
        if (f.kind == QLatin1String("string"))
            static_cast<QLineEdit *>(f.editor)->setText(v.toString());
        else if (f.kind == QLatin1String("enum"))
            static_cast<QComboBox *>(f.editor)->setCurrentText(v.toString());
        else if (f.kind == QLatin1String("integer"))
            static_cast<QSpinBox *>(f.editor)->setValue(v.toInt());
        else if (f.kind == QLatin1String("number"))
            static_cast<QDoubleSpinBox *>(f.editor)->setValue(v.toDouble());
        else if (f.kind == QLatin1String("boolean"))
            static_cast<QCheckBox *>(f.editor)->setChecked(v.toBool());
        else if (f.kind == QLatin1String("date"))
            static_cast<QDateEdit *>(f.editor)->setDate(QDate::fromString(v.toString(), Qt::ISODate));
        else if (f.kind == QLatin1String("date-time"))
            static_cast<QDateTimeEdit *>(f.editor)->setDateTime(QDateTime::fromString(v.toString(), Qt::ISODate));
        else
            static_cast<QPlainTextEdit *>(f.editor)->setPlainText(QString::fromUtf8(
                v.isArray() ? QJsonDocument(v.toArray()).toJson() : QJsonDocument(v.toObject()).toJson()));
    }
}

} // namespace koan::ui
