#pragma once
// Runs a tool through the real dispatcher as the operator: pick a tool, fill the form built
// from its inputSchema, run, see the result.
#include "console/ConsoleLink.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace koan::ui {

class SchemaForm;

class InvokePanel : public QWidget
{
    Q_OBJECT
public:
    InvokePanel(ConsoleLink *link, QWidget *parent = nullptr);
    SchemaForm *form() const { return m_form; }
    QComboBox *toolBox() const { return m_tools; }
    QPlainTextEdit *resultView() const { return m_result; }
    QPushButton *runButton() const { return m_run; }
    // Selects `tool`, fills its form with `arguments` and runs it (re-run of a past call).
    void rerun(const QString &tool, const QJsonObject &arguments);

public slots:
    void setTools(const QList<koan::ToolSnapshot> &tools);
    void run();
    void showResult(const QString &requestId, const QJsonObject &request, const QJsonObject &response,
                    double durationMs);

private:
    void toolSelected(int index);

    ConsoleLink *m_link;
    QList<koan::ToolSnapshot> m_toolList;
    QComboBox *m_tools;
    QLabel *m_description;
    SchemaForm *m_form;
    QPushButton *m_run;
    QPlainTextEdit *m_result;
    QString m_pendingId;
    int m_nextId = 1;
};

} // namespace koan::ui
