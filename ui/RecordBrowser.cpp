#include "RecordBrowser.h"

#include "PaletteColors.h"

#include "EntityOverridesModel.h"
#include "RecordBrowserModels.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShowEvent>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

namespace koan::ui {

namespace {
constexpr int kPageSize = 200; // the tools' maximum

QJsonObject structured(const QJsonObject &response)
{
    return response.value(QLatin1String("result")).toObject().value(QLatin1String("structuredContent")).toObject();
}

// The refusal's message (JSON-RPC error, or a tool result with isError), empty when it succeeded.
QString errorText(const QJsonObject &response, QString *code = nullptr)
{
    if (response.contains(QLatin1String("error"))) {
        const QJsonObject e = response.value(QLatin1String("error")).toObject();
        return e.value(QLatin1String("message")).toString();
    }
    const QJsonObject result = response.value(QLatin1String("result")).toObject();
    if (!result.value(QLatin1String("isError")).toBool())
        return {};
    // A refusal's text is JSON ({"error": code, "message": ...}); some also carry structuredContent.error.
    const QJsonValue structuredError
        = result.value(QLatin1String("structuredContent")).toObject().value(QLatin1String("error"));
    const QJsonArray content = result.value(QLatin1String("content")).toArray();
    const QString text
        = content.isEmpty() ? QString() : content.first().toObject().value(QLatin1String("text")).toString();
    QJsonObject e = QJsonDocument::fromJson(text.toUtf8()).object();
    if (structuredError.isObject())
        e = structuredError.toObject();
    const QJsonValue c
        = e.contains(QLatin1String("code")) ? e.value(QLatin1String("code")) : e.value(QLatin1String("error"));
    if (code)
        *code = c.toString();
    if (!e.value(QLatin1String("message")).toString().isEmpty())
        return e.value(QLatin1String("message")).toString();
    return text.isEmpty() ? QStringLiteral("error") : text;
}

QString scalarText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 15);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return {};
}

QTableView *makeTable(QAbstractItemModel *model, const QString &objectName, const QString &accessibleName,
                      QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setObjectName(objectName);
    view->setAccessibleName(accessibleName);
    view->setModel(model);
    view->verticalHeader()->hide();
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view->horizontalHeader()->setStretchLastSection(true);
    return view;
}
} // namespace

RecordBrowser::RecordBrowser(ConsoleLink *link, EntityOverridesModel *entities, QWidget *parent)
    : QWidget(parent), m_link(link), m_entityModel(entities), m_entity(new QComboBox(this)),
      m_field(new QComboBox(this)), m_search(new QLineEdit(this)), m_searchButton(new QPushButton(tr("Search"), this)),
      m_records(new RecordsModel(this)), m_versions(new RecordVersionsModel(this)), m_from(new QComboBox(this)),
      m_to(new QComboBox(this)), m_diff(new QPlainTextEdit(this)), m_message(new QLabel(this))
{
    m_entity->setObjectName(QStringLiteral("recordsEntity"));
    m_entity->setAccessibleName(tr("Entity"));
    m_field->setObjectName(QStringLiteral("recordsField"));
    m_field->setAccessibleName(tr("Search field"));
    m_field->setToolTip(tr("The field to match: id, or a field of the records (equality)"));
    m_field->setEditable(true);
    m_field->setMinimumContentsLength(14);
    m_search->setObjectName(QStringLiteral("recordsSearch"));
    m_search->setAccessibleName(tr("Search value"));
    m_search->setPlaceholderText(tr("Value to match; empty lists the first %1 records").arg(kPageSize));
    m_search->setClearButtonEnabled(true);
    m_searchButton->setObjectName(QStringLiteral("recordsSearchButton"));
    m_searchButton->setAccessibleName(tr("Search records"));
    m_recordsView = makeTable(m_records, QStringLiteral("recordsView"), tr("Records"), this);
    m_recordsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_versionsView = makeTable(m_versions, QStringLiteral("recordVersionsView"), tr("Versions of the record"), this);
    m_versionsView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_versionsView->setToolTip(tr("Select two versions to compare them"));
    m_from->setObjectName(QStringLiteral("recordsDiffFrom"));
    m_from->setAccessibleName(tr("Compare from version"));
    m_to->setObjectName(QStringLiteral("recordsDiffTo"));
    m_to->setAccessibleName(tr("Compare to version"));
    m_diff->setObjectName(QStringLiteral("recordsDiff"));
    m_diff->setAccessibleName(tr("Changes between the two versions"));
    m_diff->setReadOnly(true);
    m_diff->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_diff->setFont(QFont(QStringLiteral("monospace")));
    m_diff->setPlaceholderText(tr("Open a record and choose two versions to see what changed."));
    m_message->setObjectName(QStringLiteral("recordsMessage"));
    m_message->setWordWrap(true);

    auto *top = new QHBoxLayout;
    auto *entityLabel = new QLabel(tr("&Entity:"), this);
    entityLabel->setBuddy(m_entity);
    auto *fieldLabel = new QLabel(tr("&Find where"), this);
    fieldLabel->setBuddy(m_field);
    auto *equals = new QLabel(QStringLiteral("="), this);
    top->addWidget(entityLabel);
    top->addWidget(m_entity);
    top->addSpacing(12);
    top->addWidget(fieldLabel);
    top->addWidget(m_field);
    top->addWidget(equals);
    top->addWidget(m_search, 1);
    top->addWidget(m_searchButton);

    auto *recordsBox = new QGroupBox(tr("Records"), this);
    auto *recordsLayout = new QVBoxLayout(recordsBox);
    recordsLayout->addWidget(m_recordsView);

    auto *versionsBox = new QGroupBox(tr("Versions"), this);
    auto *versionsLayout = new QVBoxLayout(versionsBox);
    versionsLayout->addWidget(m_versionsView, 2);
    auto *pick = new QHBoxLayout;
    auto *fromLabel = new QLabel(tr("Compare &from"), this);
    fromLabel->setBuddy(m_from);
    auto *toLabel = new QLabel(tr("&to"), this);
    toLabel->setBuddy(m_to);
    pick->addWidget(fromLabel);
    pick->addWidget(m_from, 1);
    pick->addWidget(toLabel);
    pick->addWidget(m_to, 1);
    versionsLayout->addLayout(pick);
    versionsLayout->addWidget(m_diff, 3);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("recordBrowserSplitter")); // its state is remembered under this name
    split->addWidget(recordsBox);
    split->addWidget(versionsBox);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(split, 1);
    layout->addWidget(m_message);

    connect(m_searchButton, &QPushButton::clicked, this, &RecordBrowser::search);
    connect(m_search, &QLineEdit::returnPressed, this, &RecordBrowser::search);
    connect(m_entity, &QComboBox::currentIndexChanged, this, &RecordBrowser::entityChanged);
    connect(m_recordsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    openRecord(m_records->record(current.row()).id);
            });
    connect(m_versionsView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &RecordBrowser::versionsSelected);
    connect(m_from, &QComboBox::currentIndexChanged, this, &RecordBrowser::updateDiff);
    connect(m_to, &QComboBox::currentIndexChanged, this, &RecordBrowser::updateDiff);
    connect(entities, &QAbstractItemModel::modelReset, this, &RecordBrowser::refreshEntities);
    connect(entities, &QAbstractItemModel::dataChanged, this, &RecordBrowser::refreshEntities);
    connect(link, &ConsoleLink::toolInvoked, this, &RecordBrowser::toolInvoked);
    refreshEntities();
}

void RecordBrowser::refreshEntities()
{
    const QString current = m_entity->currentText();
    const QString currentPrefix = prefix();
    {
        QSignalBlocker block(m_entity);
        m_entity->clear();
        for (int r = 0; r < m_entityModel->rowCount(); ++r)
            m_entity->addItem(m_entityModel->entityAt(r),
                              m_entityModel->index(r, EntityOverridesModel::ToolPrefix).data(Qt::EditRole).toString());
        const int keep = m_entity->findText(current);
        m_entity->setCurrentIndex(keep >= 0 ? keep : (m_entity->count() ? 0 : -1));
    }
    if (m_entity->currentText() != current || prefix() != currentPrefix)
        entityChanged();
}

QString RecordBrowser::prefix() const
{
    return m_entity->currentData().toString();
}

void RecordBrowser::entityChanged()
{
    m_records->setRecords({}, {});
    m_versions->clear();
    m_openId.clear();
    m_fieldTypes.clear();
    {
        QSignalBlocker block(m_field);
        m_field->clear();
        m_field->addItem(QStringLiteral("id"));
    }
    {
        QSignalBlocker a(m_from), b(m_to);
        m_from->clear();
        m_to->clear();
    }
    m_diff->clear();
    m_message->clear();
    if (m_entity->currentIndex() >= 0 && isVisible())
        search(); // a first page to start from
}

void RecordBrowser::call(Purpose purpose, const QString &tool, const QJsonObject &arguments, const QString &id)
{
    const QString requestId = QStringLiteral("records-%1").arg(m_nextId++);
    m_pending.insert(requestId, Pending{purpose, prefix(), id});
    m_link->invokeTool(requestId, tool, arguments);
}

void RecordBrowser::search()
{
    const QString p = prefix();
    if (p.isEmpty())
        return;
    const QString field = m_field->currentText().trimmed();
    const QString value = m_search->text().trimmed();
    setMessage(tr("Searching %1…").arg(m_entity->currentText()));
    if (value.isEmpty()) {
        call(Purpose::List, p + QStringLiteral(".collection"),
             {{QStringLiteral("page"), 1}, {QStringLiteral("pageSize"), kPageSize}});
    } else if (field.isEmpty() || field == QLatin1String("id")) {
        call(Purpose::ById, p + QStringLiteral(".get-by-id"), {{QStringLiteral("id"), value}}, value);
    } else {
        // Equality on the field's JSON type as seen in the records so far.
        QJsonValue match = value;
        bool ok = false;
        switch (m_fieldTypes.value(field, QJsonValue::String)) {
        case QJsonValue::Double:
            if (const double d = value.toDouble(&ok); ok)
                match = d;
            break;
        case QJsonValue::Bool:
            if (value == QLatin1String("true") || value == QLatin1String("false"))
                match = value == QLatin1String("true");
            break;
        default:
            break;
        }
        call(Purpose::List, p + QStringLiteral(".collection"),
             {{QStringLiteral("page"), 1},
              {QStringLiteral("pageSize"), kPageSize},
              {QStringLiteral("filter"), QJsonObject{{field, match}}}});
    }
}

void RecordBrowser::openRecord(const QString &id)
{
    if (id.isEmpty() || prefix().isEmpty())
        return;
    m_openId = id;
    m_historyPages = {};
    m_versions->clear();
    {
        QSignalBlocker a(m_from), b(m_to);
        m_from->clear();
        m_to->clear();
    }
    m_diff->clear();
    setMessage(tr("Loading the versions of %1…").arg(id));
    call(Purpose::History, prefix() + QStringLiteral(".history"),
         {{QStringLiteral("id"), id}, {QStringLiteral("page"), 1}, {QStringLiteral("pageSize"), kPageSize}}, id);
}

void RecordBrowser::toolInvoked(const QString &requestId, const QJsonObject &, const QJsonObject &response, double)
{
    const auto it = m_pending.constFind(requestId);
    if (it == m_pending.constEnd())
        return;
    const Pending pending = *it;
    m_pending.erase(it);
    if (pending.prefix != prefix())
        return; // the entity changed meanwhile
    QString code;
    const QString error = errorText(response, &code);
    const QJsonObject content = structured(response);
    switch (pending.purpose) {
    case Purpose::List:
        if (!error.isEmpty())
            return setMessage(error, true);
        updateFields(content.value(QLatin1String("items")).toArray());
        showRecords(content.value(QLatin1String("items")).toArray());
        setMessage(tr("%1 of %2 records shown.")
                       .arg(m_records->rowCount())
                       .arg(content.value(QLatin1String("total")).toInt(m_records->rowCount())));
        break;
    case Purpose::ById:
        if (!error.isEmpty()) {
            if (code == QLatin1String("not_found")) { // perhaps deleted: its history still knows it
                call(Purpose::DeletedById, pending.prefix + QStringLiteral(".history"),
                     {{QStringLiteral("id"), pending.id},
                      {QStringLiteral("page"), 1},
                      {QStringLiteral("pageSize"), kPageSize}},
                     pending.id);
                return;
            }
            return setMessage(error, true);
        }
        updateFields(QJsonArray{content.value(QLatin1String("item"))});
        showRecords(QJsonArray{content.value(QLatin1String("item"))});
        setMessage(tr("Record %1 found.").arg(pending.id));
        m_recordsView->selectRow(0);
        break;
    case Purpose::DeletedById: {
        if (!error.isEmpty()) {
            m_records->setRecords({}, m_textField);
            return setMessage(tr("No %1 record has the id %2.").arg(m_entity->currentText(), pending.id), true);
        }
        RecordVersionsModel replay;
        replay.setVersions(content.value(QLatin1String("versions")).toArray());
        if (replay.versions().isEmpty())
            return setMessage(tr("No %1 record has the id %2.").arg(m_entity->currentText(), pending.id), true);
        const RecordVersion &last = replay.versions().constLast();
        m_records->setRecords(
            {RecordRow{pending.id, scalarText(last.document.value(textFieldFor(last.document))),
                       last.deleted ? tr("deleted") : QString::number(last.versionAfter.value_or(0))}},
            textFieldFor(last.document));
        setMessage(tr("Record %1 was deleted; its history remains.").arg(pending.id));
        m_recordsView->selectRow(0);
        break;
    }
    case Purpose::History: {
        if (pending.id != m_openId)
            return;
        if (!error.isEmpty())
            return setMessage(error, true);
        const QJsonArray page = content.value(QLatin1String("versions")).toArray();
        for (const QJsonValue &v : page)
            m_historyPages.append(v);
        const int total = content.value(QLatin1String("total")).toInt();
        if (!page.isEmpty() && m_historyPages.size() < total) {
            call(Purpose::History, pending.prefix + QStringLiteral(".history"),
                 {{QStringLiteral("id"), pending.id},
                  {QStringLiteral("page"), int(m_historyPages.size() / kPageSize) + 1},
                  {QStringLiteral("pageSize"), kPageSize}},
                 pending.id);
            return;
        }
        m_versions->setVersions(m_historyPages);
        {
            QSignalBlocker a(m_from), b(m_to);
            m_from->clear();
            m_to->clear();
            for (int r = 0; r < m_versions->rowCount(); ++r) {
                const RecordVersion &v = m_versions->versions().at(r);
                const QString text = tr("%1 · %2 · %3").arg(m_versions->label(r), v.operation, v.principal);
                m_from->addItem(text, r);
                m_to->addItem(text, r);
            }
            const int n = m_versions->rowCount();
            m_from->setCurrentIndex(std::max(0, n - 2));
            m_to->setCurrentIndex(n - 1);
        }
        updateDiff();
        setMessage(tr("%1: %2 versions.").arg(pending.id).arg(m_versions->rowCount()));
        break;
    }
    }
}

QString RecordBrowser::textFieldFor(const QJsonObject &record) const
{
    const QString chosen = m_field->currentText().trimmed();
    if (!chosen.isEmpty() && chosen != QLatin1String("id") && m_fieldTypes.contains(chosen))
        return chosen;
    for (const char *preferred : {"name", "title", "summary", "message", "code"})
        if (record.value(QLatin1String(preferred)).isString())
            return QLatin1String(preferred);
    for (auto it = record.begin(); it != record.end(); ++it)
        if (it.value().isString() && it.key() != QLatin1String("id"))
            return it.key();
    return {};
}

void RecordBrowser::updateFields(const QJsonArray &items)
{
    for (const QJsonValue &v : items) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            if (it.key() != QLatin1String("id")
                && (it.value().isString() || it.value().isDouble() || it.value().isBool()))
                m_fieldTypes.insert(it.key(), it.value().type());
    }
    QStringList names = m_fieldTypes.keys();
    names.sort();
    names.prepend(QStringLiteral("id"));
    const QString current = m_field->currentText();
    QSignalBlocker block(m_field);
    m_field->clear();
    m_field->addItems(names);
    m_field->setCurrentText(current.isEmpty() ? QStringLiteral("id") : current);
}

void RecordBrowser::showRecords(const QJsonArray &items)
{
    m_textField = items.isEmpty() ? QString() : textFieldFor(items.first().toObject());
    QList<RecordRow> rows;
    for (const QJsonValue &v : items) {
        const QJsonObject o = v.toObject();
        rows << RecordRow{o.value(QLatin1String("id")).toString(), scalarText(o.value(m_textField)),
                          scalarText(o.value(QLatin1String("version")))};
    }
    QSignalBlocker block(m_recordsView->selectionModel());
    m_records->setRecords(rows, m_textField);
}

void RecordBrowser::versionsSelected()
{
    QList<int> rows;
    for (const QModelIndex &i : m_versionsView->selectionModel()->selectedRows())
        rows << i.row();
    if (rows.size() != 2)
        return;
    std::sort(rows.begin(), rows.end());
    QSignalBlocker a(m_from), b(m_to);
    m_from->setCurrentIndex(rows.first());
    m_to->setCurrentIndex(rows.last());
    updateDiff();
}

void RecordBrowser::updateDiff()
{
    const int from = m_from->currentIndex();
    const int to = m_to->currentIndex();
    const auto &versions = m_versions->versions();
    if (from < 0 || to < 0 || from >= versions.size() || to >= versions.size()) {
        m_diff->clear();
        return;
    }
    m_diff->setPlainText(
        describeDiff(versions.at(from), m_versions->label(from), versions.at(to), m_versions->label(to)));
}

void RecordBrowser::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_records->rowCount() == 0 && m_pending.isEmpty() && m_openId.isEmpty())
        search(); // a first page to start from
}

void RecordBrowser::setMessage(const QString &text, bool error)
{
    m_message->setText(
        error ? QStringLiteral("<span style='color:%1'>%2</span>").arg(ui::errorText().name()).arg(text.toHtmlEscaped())
              : text.toHtmlEscaped());
}

} // namespace koan::ui
