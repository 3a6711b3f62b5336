import codecs
import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shanchuan.errors import InputError
from shanchuan.schemas import PAIRS, REGIONS
from shanchuan.validation import read_table

HEADER = "prefecture,cluster,cluster_en,source\n"
ROWS = "十堰市,鄂西北,Northwest,规划纲要\n武汉市,武汉城市圈,Wuhan circle,规划纲要\n"


def write(tmp_path, text, encoding="utf-8", name="regions.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_utf8_file_read_with_rows_numbered_as_in_a_spreadsheet(tmp_path):
    df = read_table(write(tmp_path, HEADER + ROWS), REGIONS)
    assert list(df.columns) == ["prefecture", "cluster", "cluster_en", "source"]
    assert list(df.index) == [2, 3]
    assert df.loc[3, "cluster"] == "武汉城市圈"


def test_utf8_bom_file_read_correctly(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_bytes(codecs.BOM_UTF8 + (HEADER + ROWS).encode("utf-8"))
    df = read_table(path, REGIONS)
    assert df.columns[0] == "prefecture"  # no BOM glued to the first column name
    assert df.loc[2, "prefecture"] == "十堰市"


def test_gbk_file_read_correctly(tmp_path):
    path = write(tmp_path, HEADER + ROWS, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really GBK, not UTF-8
    df = read_table(path, REGIONS)
    assert df.loc[2, "prefecture"] == "十堰市"
    assert df.loc[3, "cluster"] == "武汉城市圈"


def test_excel_crlf_line_endings_and_quoted_cells(tmp_path):
    text = HEADER.replace("\n", "\r\n") + '十堰市,"鄂西北, 山区",NW,"纲要\r\n第二行"\r\n'
    df = read_table(write(tmp_path, text), REGIONS)
    assert df.loc[2, "cluster"] == "鄂西北, 山区"
    assert df.loc[2, "source"] == "纲要\r\n第二行"


def test_whitespace_around_headers_and_cells_is_stripped(tmp_path):
    text = " prefecture , cluster ,cluster_en, source \n  十堰市 , 鄂西北 ,, 纲要 \n"
    df = read_table(write(tmp_path, text), REGIONS)
    assert list(df.columns) == ["prefecture", "cluster", "cluster_en", "source"]
    assert df.loc[2].tolist() == ["十堰市", "鄂西北", "", "纲要"]


def test_blank_rows_are_skipped_but_keep_their_numbers(tmp_path):
    text = HEADER + "十堰市,鄂西北,NW,纲要\n,,,\n\n武汉市,武汉城市圈,W,纲要\n"
    df = read_table(write(tmp_path, text), REGIONS)
    assert list(df.index) == [2, 5]


def test_trailing_empty_cells_from_excel_are_ignored(tmp_path):
    text = "prefecture,cluster,cluster_en,source,,\n十堰市,鄂西北,NW,纲要,,\n"
    df = read_table(write(tmp_path, text), REGIONS)
    assert list(df.columns) == ["prefecture", "cluster", "cluster_en", "source"]


def test_empty_file(tmp_path):
    with pytest.raises(InputError, match=r"regions\.csv: the file is empty; expected a header"):
        read_table(write(tmp_path, ""), REGIONS)


def test_file_with_only_a_bom_and_blank_lines_is_empty(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"\r\n\r\n")
    with pytest.raises(InputError, match="the file is empty"):
        read_table(path, REGIONS)


def test_file_of_empty_cells_is_empty(tmp_path):
    with pytest.raises(InputError, match="the file is empty"):
        read_table(write(tmp_path, ",,,\n,,\n"), REGIONS)


def test_semicolon_delimited_file(tmp_path):
    text = "prefecture;cluster;cluster_en;source\n十堰市;鄂西北;NW;纲要\n"
    with pytest.raises(
        InputError,
        match=r"row 1: file uses ';' \(semicolon\) as delimiter; save as comma-separated CSV",
    ):
        read_table(write(tmp_path, text), REGIONS)


def test_tab_delimited_file(tmp_path):
    text = "prefecture\tcluster\tcluster_en\tsource\n十堰市\t鄂西北\tNW\t纲要\n"
    with pytest.raises(InputError, match="file uses a tab as delimiter; save as comma-separated"):
        read_table(write(tmp_path, text), REGIONS)


def test_full_width_comma_delimited_file(tmp_path):
    text = "prefecture，cluster，cluster_en，source\n十堰市，鄂西北，NW，纲要\n"
    with pytest.raises(InputError, match="file uses '，' \\(full-width comma\\) as delimiter"):
        read_table(write(tmp_path, text), REGIONS)


def test_semicolons_inside_cells_of_a_comma_file_are_fine(tmp_path):
    text = HEADER + "十堰市,鄂西北;秦巴,NW,纲要;附表\n"
    df = read_table(write(tmp_path, text), REGIONS)
    assert df.loc[2, "cluster"] == "鄂西北;秦巴"


def test_undecodable_file(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_bytes(HEADER.encode() + b"\x80\xff\x80,x,y,z\n")
    with pytest.raises(
        InputError,
        match=r"regions\.csv, row 2: cannot decode the file: byte 0x80 on line 2 is neither "
        r"UTF-8 nor GBK/GB18030 \(tried utf-8, gb18030\); expected a file saved as CSV UTF-8",
    ):
        read_table(path, REGIONS)


def test_utf16_file_is_rejected(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_bytes((HEADER + ROWS).encode("utf-16"))
    with pytest.raises(InputError, match="the file is UTF-16"):
        read_table(path, REGIONS)


def test_xlsx_path(tmp_path):
    path = tmp_path / "regions.xlsx"
    path.write_bytes(b"PK\x03\x04rest")
    with pytest.raises(
        InputError,
        match=r"regions\.xlsx: this is an Excel workbook \(\.xlsx\), "
        r"not a CSV file; save it as CSV UTF-8 from Excel",
    ):
        read_table(path, REGIONS)


def test_workbook_renamed_to_csv(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 20)
    with pytest.raises(InputError, match=r"Excel workbook saved under a \.csv name"):
        read_table(path, REGIONS)


def test_missing_file_named_as_given(tmp_path):
    with pytest.raises(InputError, match=r"nope/regions\.csv: file not found"):
        read_table("nope/regions.csv", REGIONS)


def test_row_with_too_many_cells(tmp_path):
    text = "recipient,supporter\nzhuxi,wuchang\nfangxian,jiang,an\n"
    with pytest.raises(
        InputError, match=r"pairs\.csv, row 3: the row has 3 cells but the header names 2"
    ):
        read_table(write(tmp_path, text, name="pairs.csv"), PAIRS)


def test_header_problems_reported_together(tmp_path):
    text = "recipient,,recipient,supporter\na,b,c,d\n"
    with pytest.raises(InputError) as info:
        read_table(write(tmp_path, text, name="pairs.csv"), PAIRS)
    messages = [p.message for p in info.value.problems]
    assert messages == ["header cell 2 is empty", "column appears twice in the header"]
    assert all(p.row == 1 for p in info.value.problems)


ALPHABET = "abcxyz019 .-;,\"'十堰市竹溪县武汉城市圈茶叶魔芋（）、。"


@settings(max_examples=30, deadline=None)
@given(
    cells=st.lists(
        st.lists(st.text(ALPHABET, max_size=8), min_size=4, max_size=4), min_size=1, max_size=5
    ),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_any_table_reads_back_in_every_encoding(tmp_path_factory, cells, encoding, newline):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline)
    writer.writerow(REGIONS.column_names)
    writer.writerows(cells)
    path = tmp_path_factory.mktemp("enc") / "regions.csv"
    path.write_bytes(buf.getvalue().encode(encoding))
    df = read_table(path, REGIONS)
    expected = [
        (row, [c.strip() for c in cellrow])
        for row, cellrow in enumerate(cells, start=2)
        if any(c.strip() for c in cellrow)
    ]
    assert [(int(r), df.loc[r].tolist()) for r in df.index] == expected
