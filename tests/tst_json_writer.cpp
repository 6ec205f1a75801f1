// json::compact against Qt's own writer: the same bytes for every kind of value.
#include "protocol/JsonWriter.h"

#include <QJsonDocument>
#include <QTest>
#include <cmath>
#include <limits>

class TestJsonWriter : public QObject
{
    Q_OBJECT

    static QByteArray qt(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

private slots:
    void sameBytesAsQt_data()
    {
        QTest::addColumn<QJsonObject>("object");
        QTest::newRow("empty") << QJsonObject{};
        QTest::newRow("scalars") << QJsonObject{{"t", true}, {"f", false}, {"n", QJsonValue::Null}, {"s", ""}};
        QTest::newRow("nested") << QJsonObject{
            {"a", QJsonArray{1, QJsonArray{}, QJsonObject{}, QJsonObject{{"x", "y"}}}}};
        QTest::newRow("escapes") << QJsonObject{
            {"q\"k", "quote \" backslash \\ slash / nl \n cr \r tab \t bs \b ff \f"},
            {"ctl", QString(QChar(0x01)) + QChar(0x1f) + QChar(0x7f)}};
        QTest::newRow("unicode") << QJsonObject{{"ü", "Grüße, 東京, emoji 😀, é"}};
        QTest::newRow("integers") << QJsonObject{{"zero", 0},
                                                 {"neg", -1},
                                                 {"big", qint64(9007199254740993)},
                                                 {"max", std::numeric_limits<qint64>::max()},
                                                 {"min", std::numeric_limits<qint64>::min()},
                                                 {"intDouble", 3.0}};
        QTest::newRow("doubles") << QJsonObject{{"tenth", 0.1},   {"third", 1.0 / 3}, {"e20", 1e20},
                                                {"tiny", 5e-324}, {"negFrac", -2.5},  {"huge", 1.7976931348623157e308}};
        QTest::newRow("tool result") << QJsonObject{
            {"jsonrpc", "2.0"},
            {"id", 42},
            {"result",
             QJsonObject{{"content", QJsonArray{QJsonObject{{"type", "text"}, {"text", "{\"id\":\"site-boston\"}"}}}},
                         {"structuredContent", QJsonObject{{"id", "site-boston"}, {"enrolled", 128}}}}}};
    }

    void sameBytesAsQt()
    {
        QFETCH(QJsonObject, object);
        QCOMPARE(koan::json::compact(object), qt(object));
        QCOMPARE(koan::json::compact(QJsonValue(object)), qt(object));
        QCOMPARE(koan::json::compact(QJsonArray{object, object}),
                 QJsonDocument(QJsonArray{object, object}).toJson(QJsonDocument::Compact));
    }

    void nonFiniteNumbersBecomeNull()
    {
        const QJsonObject o{{"nan", std::nan("")}, {"inf", std::numeric_limits<double>::infinity()}};
        QCOMPARE(koan::json::compact(o), QByteArray(R"({"inf":null,"nan":null})"));
    }

    void loneSurrogateIsReplaced()
    {
        const QJsonObject o{{"s", QString(QChar(0xd800)) + "x"}};
        const QByteArray out = koan::json::compact(o);
        QCOMPARE(out, QByteArray("{\"s\":\"\xef\xbf\xbdx\"}"));
        QJsonParseError error;
        QJsonDocument::fromJson(out, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
    }

    void largeStringRoundTrips()
    {
        QString big;
        for (int i = 0; i < 200000; ++i)
            big += QChar(i % 3 == 0 ? u'"' : i % 3 == 1 ? u'é' : u'a');
        const QJsonObject o{{"big", big}};
        QCOMPARE(koan::json::compact(o), qt(o));
        QCOMPARE(QJsonDocument::fromJson(koan::json::compact(o)).object(), o);
    }
};

QTEST_GUILESS_MAIN(TestJsonWriter)
#include "tst_json_writer.moc"
