#pragma once
// Entities & overrides: the editable options table, applied live and persisted by the server.
#include "ServerLink.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace koan::ui {

class EntityOverridesModel;

class EntitiesPage : public QWidget
{
    Q_OBJECT
public:
    EntitiesPage(ServerLink link, EntityOverridesModel *model, QWidget *parent = nullptr);
    QTableView *view() const { return m_view; }
    QLabel *message() const { return m_message; }

public slots:
    void applied(const QString &entity, bool ok, const QString &error);

private:
    QTableView *m_view;
    QLabel *m_message;
};

} // namespace koan::ui
