#pragma once
// Tool calls: the history of every tools/call with pretty-printed request and response, the
// invoke panel, and re-running a past call.
#include "console/ConsoleLink.h"

#include <QWidget>

class QPlainTextEdit;
class QTableView;

namespace koan::ui {

class InvokePanel;
class ToolCallsModel;

class ToolCallsPage : public QWidget
{
    Q_OBJECT
public:
    ToolCallsPage(ConsoleLink *link, ToolCallsModel *model, QWidget *parent = nullptr);
    InvokePanel *invokePanel() const { return m_invoke; }
    QTableView *view() const { return m_view; }
    void rerunSelected();

private:
    void showDetails();

    ToolCallsModel *m_model;
    QTableView *m_view;
    QPlainTextEdit *m_details;
    InvokePanel *m_invoke;
};

} // namespace koan::ui
