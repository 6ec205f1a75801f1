#include "AuthFailuresPage.h"

#include "AuthFailuresModel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace koan::ui {

AuthFailuresPage::AuthFailuresPage(AuthFailuresModel *model, QWidget *parent) : QWidget(parent)
{
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(model);
    proxy->setFilterKeyColumn(-1);
    proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    auto *view = new QTableView(this);
    view->setObjectName(QStringLiteral("authFailuresView"));
    view->setAccessibleName(tr("Authentication failures"));
    view->setModel(proxy);
    view->setSortingEnabled(true);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setStretchLastSection(true);
    auto *filter = new QLineEdit(this);
    filter->setObjectName(QStringLiteral("authFailuresFilter"));
    filter->setAccessibleName(tr("Filter authentication failures"));
    filter->setPlaceholderText(tr("Filter by reason, subject, remote, path…"));
    filter->setClearButtonEnabled(true);
    connect(filter, &QLineEdit::textChanged, proxy, &QSortFilterProxyModel::setFilterFixedString);
    auto *clear = new QPushButton(tr("Clear"), this);
    clear->setObjectName(QStringLiteral("authFailuresClear"));
    connect(clear, &QPushButton::clicked, model, &AuthFailuresModel::clear);
    // New failures scroll into view.
    connect(model, &QAbstractItemModel::rowsInserted, view, [view] { view->scrollToBottom(); });
    auto *top = new QHBoxLayout;
    top->addWidget(filter, 1);
    top->addWidget(clear);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(view);
}

} // namespace koan::ui
