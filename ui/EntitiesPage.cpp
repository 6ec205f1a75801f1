#include "EntitiesPage.h"

#include "PaletteColors.h"

#include "EntityOverridesModel.h"
#include "RecordBrowser.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace koan::ui {

namespace {
// Authentication is a three-way choice: a combo box instead of free text.
class AuthenticationDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &, const QModelIndex &) const override
    {
        auto *combo = new QComboBox(parent);
        combo->addItems({EntityOverridesModel::tr("server default"), EntityOverridesModel::tr("required"),
                         EntityOverridesModel::tr("not required")});
        return combo;
    }
    void setEditorData(QWidget *editor, const QModelIndex &index) const override
    {
        static_cast<QComboBox *>(editor)->setCurrentText(index.data(Qt::EditRole).toString());
    }
    void setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const override
    {
        model->setData(index, static_cast<QComboBox *>(editor)->currentText(), Qt::EditRole);
    }
};
} // namespace

EntitiesPage::EntitiesPage(ConsoleLink *link, EntityOverridesModel *model, QWidget *parent)
    : QWidget(parent), m_view(new QTableView(this)), m_message(new QLabel(this)),
      m_records(new RecordBrowser(link, model, this)), m_sections(new QTabWidget(this))
{
    m_view->setObjectName(QStringLiteral("entitiesView"));
    m_view->setAccessibleName(tr("Entities and their overrides"));
    m_view->setModel(model);
    m_view->setItemDelegateForColumn(EntityOverridesModel::RequireAuthentication, new AuthenticationDelegate(m_view));
    m_view->verticalHeader()->hide();
    // Names, scopes and transports fit their contents; the description takes the rest and wraps.
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(EntityOverridesModel::Description, QHeaderView::Stretch);
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed
                            | QAbstractItemView::SelectedClicked);
    m_message->setObjectName(QStringLiteral("entitiesMessage"));
    m_message->setWordWrap(true);
    auto *reset = new QPushButton(tr("Reset selected to defaults"), this);
    reset->setObjectName(QStringLiteral("entitiesReset"));
    connect(reset, &QPushButton::clicked, this, [this, link, model] {
        const QModelIndex current = m_view->currentIndex();
        if (!current.isValid())
            return;
        const QString entity = model->entityAt(current.row());
        link->resetEntityOptions(entity);
    });
    connect(model, &EntityOverridesModel::applyRequested, this,
            [link](const QString &entity, const EntityOptions &o) { link->applyEntityOptions(entity, o); });
    connect(model, &EntityOverridesModel::validationFailed, this, [this](const QString &message) {
        m_message->setText(
            QStringLiteral("<span style='color:%1'>%2</span>").arg(errorText().name()).arg(message.toHtmlEscaped()));
        if (isVisible())
            QMessageBox::warning(this, tr("Invalid value"), message);
    });
    auto *hint = new QLabel(tr("Double-click a cell to edit. Changes apply to the running server at once and are saved "
                               "to your settings override file. Bold values differ from the entity's defaults."),
                            this);
    hint->setWordWrap(true);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_message, 1);
    bottom->addWidget(reset);
    auto *overrides = new QWidget(this);
    auto *overridesLayout = new QVBoxLayout(overrides);
    overridesLayout->addWidget(hint);
    overridesLayout->addWidget(m_view, 1);
    overridesLayout->addLayout(bottom);
    m_sections->setObjectName(QStringLiteral("entitiesSections"));
    m_sections->setDocumentMode(true);
    m_sections->addTab(overrides, tr("Overrides"));
    m_sections->addTab(m_records, tr("Records"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_sections);
}

void EntitiesPage::applied(const QString &entity, bool ok, const QString &error)
{
    m_message->setText(ok ? tr("%1: applied and saved.").arg(entity)
                          : QStringLiteral("<span style='color:%1'>%2</span>")
                                .arg(errorText().name())
                                .arg(tr("%1: %2").arg(entity, error).toHtmlEscaped()));
}

} // namespace koan::ui
