#pragma once
// Asks how to turn the HTTP+SSE rollback switch off: how many legacy sessions it ends, drain
// (new streams refused, open ones may finish within a timeout) or cut (now), and the reason that
// goes into the audit trail with the operator.
#include "admin/AdminController.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QRadioButton;
class QSpinBox;

namespace koan::ui {

class RollbackDialog : public QDialog
{
    Q_OBJECT
public:
    RollbackDialog(int legacySessions, QWidget *parent = nullptr);
    koan::HttpSseSwitch request() const;
    QString question() const;
    QLineEdit *reasonEdit() const { return m_reason; }
    QRadioButton *drainButton() const { return m_drain; }
    QRadioButton *cutButton() const { return m_cut; }
    QSpinBox *drainSeconds() const { return m_seconds; }
    QPushButton *okButton() const;

private:
    void update();

    QLabel *m_text;
    QRadioButton *m_drain;
    QRadioButton *m_cut;
    QSpinBox *m_seconds;
    QLineEdit *m_reason;
    QDialogButtonBox *m_buttons;
};

} // namespace koan::ui
