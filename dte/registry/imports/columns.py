"""The roster's columns, the words accepted in them, and the template an institution fills in."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook

from ..models import Person

COLUMNS = [("name", "姓名"), ("id_number", "身份证号"), ("phone", "手机号"), ("division", "居住地区划代码"),
           ("status", "人员类别"), ("graduation_date", "毕业日期")]
HEADERS = [label for _, label in COLUMNS]
RESULT_HEADER = "校验结果"
STATUS_WORDS = {"毕业生": "graduate", "应届毕业生": "graduate", "在岗人员": "employee", "在职": "employee",
                "未就业人员": "unemployed", "未就业": "unemployed", "自由职业者": "freelancer", "新就业形态劳动者": "freelancer",
                "在校学生": "student", "学生": "student", "已退休人员": "retired", "退休": "retired"}
STATUS_CODES = set(Person.Status.values)
FIELD_OF = {"name": Person._meta.get_field("name"), "division": Person._meta.get_field("division")}
LIMITS = [(key, label, FIELD_OF[key].max_length) for key, label in COLUMNS
          if getattr(FIELD_OF.get(key), "max_length", None)]  # (column, header, max_length), read once
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # exactly Unicode's category Cc (control characters)


def template_workbook() -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("学员名单")
    ws.append(HEADERS)
    ws.append(["张三", "11010519900307001X", "13800138000", "140105", "毕业生", "2024-06-30"])
    notes = wb.create_sheet("填写说明")
    notes.append(["列", "说明"])
    notes.append(["身份证号", "18位公民身份号码，末位校验码须正确"])
    notes.append(["手机号", "11位手机号码"])
    notes.append(["居住地区划代码", "GB/T 2260 六位代码，如 140105"])
    notes.append(["人员类别", "、".join(STATUS_WORDS) + "（或 graduate/employee/unemployed/freelancer/student/retired）"])
    notes.append(["毕业日期", "YYYY-MM-DD；毕业生、学生必填"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
